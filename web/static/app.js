// Small improvements only: the page works the same with JavaScript off.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // Sorting applies as soon as it is chosen.
  const sort = document.getElementById("sort");
  if (sort) sort.addEventListener("change", () => sort.form.submit());
  // "/" focuses the search box, as on many search sites.
  const box = document.getElementById("q");
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && box && document.activeElement !== box && !(event.target instanceof HTMLInputElement)) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
