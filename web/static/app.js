// Small improvements only: the page works the same with JavaScript off.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // On a phone the facets are a drawer above the results, closed until asked for; wide screens keep them open.
  const drawer = document.querySelector("details.filters");
  const narrow = window.matchMedia("(max-width: 52rem)");
  const fit = () => { if (drawer) drawer.open = !narrow.matches; };
  fit();
  narrow.addEventListener("change", fit);
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
