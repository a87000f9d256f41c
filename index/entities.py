"""Entity extraction: text → the people, countries and organizations it mentions.

One method for every language, so that one story gets one set of facets
whatever language it is told in:

1. **Known entities**: every alias of the knowledge base (``index/knowledge.py``)
   is found in one pass of an Aho-Corasick automaton over the folded tokens;
   the longest match wins, and each match must respect the case the
   knowledge file writes it with (``Usa`` is a country, ``usa`` a verb).
2. **Guards** against the classic traps: a single-word name glued to another
   capitalized word belongs to a longer name (*Jordan Bardella*, *Trump
   Tower*); a combining form counts only inside a compound (*sino-russe*,
   not Italian *sino a*); a short form (*Wang*, *Li*) counts only when the
   full name is in the article; words inside a matched organization name are
   not countries.
3. **Spelling variants** of known people (*Serghei*, *Ergei Shoigu*, *Li
   Changfu*): a capitalized name that differs from a known one in one token by
   a single edit resolves to it; two edits make a proposal for a curator, never
   a merge (*Li Qiang* and *Li Keqiang* stay two people).
4. **Discovery** of people and organizations the knowledge base lacks: a
   capitalized sequence after a title (*il ministro*, *le président*,
   *utrikesminister*) or starting with a known given name is a person; one
   containing an organization word (*Ministero*, *Council*, *-partiet*) is an
   organization. Their values are the names as written, their ids provisional
   (``new:…``).
"""
from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from dataclasses import dataclass

from index.analysis import fold, stop_words, words
from index.knowledge import ALL_CAPS, ANY, CAPITAL, Alias, KnowledgeBase, load_knowledge

FACET_KINDS = ("person", "country", "org")

# Kin, which stand before a name as titles do ("il fratello Bianchi") and, alone, before a given name
# (see KIN_BEFORE_A_GIVEN_NAME).
KIN_WORDS = frozenset(fold(w) for w in """
    moglie marito fratello sorella nonno nonna zio zia cugino cugina fidanzato fidanzata figlio figlia
    épouse fils fille frère sœur oncle tante cousin cousine
    hustru hustrun frun maken sonen dottern brodern systern pappan mamman
    wife husband daughter brother sister
""".split())

PERSON_TITLES = frozenset(fold(w) for w in """
    presidente premier ministro ministra segretario segretaria generale ammiraglio colonnello leader capo
    portavoce ambasciatore ambasciatrice senatore senatrice deputato deputata sindaco papa cancelliere
    dottor dottore professor professore avvocato giudice procuratore signor signora commissario direttore
    direttrice viceministro vicepresidente consigliere consigliera zar omologo omologa dittatore
    président présidente ministre secrétaire général amiral colonel chef porte-parole ambassadeur ambassadrice
    sénateur sénatrice député députée maire pape chancelier chancelière docteur monsieur madame juge procureur
    directeur directrice commissaire conseiller conseillère homologue dirigeant dirigeante dictateur
    president presidenten premiärminister premiärministern statsminister statsministern minister ministern
    general generalen talesperson talesman ambassadör ambassadören kansler förbundskansler påven påve
    borgmästare chefen ledaren partiledare partiledaren toppdiplomat toppdiplomaten rådgivare rådgivaren
    statsråd statsrådet
    prime secretary admiral spokesman spokeswoman spokesperson ambassador senator mayor pope chancellor
    dr mr mrs ms judge director adviser advisor counterpart envoy
    re regina principe principessa vescovo cardinale arcivescovo onorevole assessore assessora questore prefetto
    rettore capitano allenatore tecnico calciatore attore attrice cantante scrittore scrittrice giornalista
    imprenditore imprenditrice magistrato pm gip presidentessa governatore governatrice sottosegretario
    roi reine prince princesse évêque cardinal archevêque préfet recteur capitaine entraîneur footballeur acteur
    actrice chanteur chanteuse écrivain écrivaine journaliste entrepreneur magistrat gouverneur
    borgmästaren kanslern förbundskanslern talespersonen talesmannen åklagare åklagaren domare domaren vd
    ordförande ordföranden kommissionär kommissionären riksdagsledamot riksdagsledamoten professorn biskop
    biskopen kung kungen drottning drottningen prins prinsen prinsessan journalisten författaren författare
    skådespelaren förbundskaptenen tränaren landshövding landshövdingen guvernör guvernören
    king queen prince princess bishop cardinal governor actor actress singer writer journalist coach
""".split()) | frozenset(fold(w) for w in """
    ispettore ispettrice maresciallo brigadiere appuntato tenente sottotenente sergente caporale
    vicequestore sovrintendente patriarca imam rabbino parroco sacerdote arbitro vicesindaco vicepremier
    candidato candidata notaio primario conduttore conduttrice presentatore presentatrice stilista figli
    pilota pugile tennista ciclista cestista atleta portiere attaccante centrocampista difensore nuotatore
    nuotatrice sciatore sciatrice regista pittore pittrice poeta poetessa drammaturgo cantautore cantautrice
    musicista compositore pianista chitarrista rapper fotografo fotografa scienziato scienziata ricercatore
    ricercatrice chirurgo psichiatra ingegnere architetto economista sociologo filosofo fondatore fondatrice
    attivista sindacalista medico giocatore giocatrice campione campionessa
    inspecteur inspectrice lieutenant sergent adjudant patriarche imam rabbin curé arbitre
    sélectionneur candidat candidate animateur animatrice présentateur présentatrice styliste
    pilote boxeur nageur nageuse skieur skieuse cycliste réalisateur réalisatrice peintre poète poétesse
    dramaturge compositeur pianiste guitariste rappeur photographe chirurgien psychiatre ingénieur architecte
    économiste sociologue philosophe fondateur fondatrice syndicaliste avocat avocate médecin joueur joueuse
    champion championne harpiste
    inspektör kommissarie kommissarien kyrkoherde präst prästen imamen rabbinen
    målvakten anfallaren regissören konstnären sångaren sångerskan musikern kompositören fotografen
    läkaren kirurgen grundaren aktivisten advokaten forskaren ekonomen arkitekten programledaren artisten
    spelaren
    inspector sergeant lieutenant
    boxer cyclist striker goalkeeper midfielder painter poet photographer filmmaker rapper surgeon
    economist philosopher historian scientist researcher founder activist lawyer
""".split()) | frozenset(fold(w) for w in """
    kanzler kanzlerin bundeskanzler bundeskanzlerin präsident präsidentin ministerin sprecher sprecherin
    chefin vorsitzende vorsitzender bürgermeister bürgermeisterin oberbürgermeister oberbürgermeisterin
    richter richterin staatsanwalt staatsanwältin anwalt anwältin rechtsanwalt rechtsanwältin botschafter
    botschafterin abgeordnete abgeordneter papst könig königin prinz prinzessin trainer trainerin bischof
    kardinal herr doktor professorin sänger sängerin schauspieler schauspielerin journalistin autor
    autorin senatorin generalsekretär generalsekretärin oppositionsführer oppositionsführerin kommissar
    kommissarin direktor direktorin geschäftsführer geschäftsführerin spieler spielerin stürmer torhüter
    ehefrau ehemann tochter schwester
    canciller presidenta vicepresidenta portavoz secretario secretaria alcalde alcaldesa
    embajador embajadora senador senadora diputado diputada juez jueza fiscal consejero consejera asesor
    asesora señor señora rey reina príncipe princesa obispo cardenal gobernador gobernadora jefe jefa
    mandatario mandataria dictador coronel almirante sargento teniente abogado abogada periodista
    escritor escritora actriz entrenador futbolista jugador jugadora homólogo homóloga
    esposa esposo marido hermano hermana hijo hija
""".split()) | KIN_WORDS  # roles, ranks, kin and professions that stand right before a name ("l'ispettore Romanazzi",
# "il pugile Mayweather", "mia moglie Lucia"); not those that are also adjectives ("lo storico Palazzo",
# "l'ex Ilva", "l'ancien Premier ministre"), given names ("Don"), a kin word that is a determiner in
# another language (Swedish "son", French "his"), or a commander, whose unit's name follows ("comandante
# della compagnia Talenti Montesacro"). German titles are capitalized like the name they stand before
# ("Justizministerin Alma Zadić", "Herr Merkelbach"), Spanish ones are not ("el abogado Thomas Kreuzer");
# left out are words that are a name or another language's word too: "Frau" (a Sardinian surname), "Sohn", "Bruder", "líder" (Swedish "lider"),
# "capitán" ("Capitan Ventosa").
# Kin, whom an article names by their given name alone: "mia moglie Lucia", "sa sœur Marie", "systern Anna".
# Right after one of these, a known given name is a person by itself. (Not a nun's "suor Rosanna": her
# title is part of how she is named.)
KIN_BEFORE_A_GIVEN_NAME = KIN_WORDS | {"mari"}  # "son mari Paul" (Italian "mari", "seas", is no title)
# Professions that describe a person in an apposition after the name ("August Wilson, drammaturgo
# statunitense"), beside the titles above, which may also stand before it.
PROFESSIONS = frozenset(fold(w) for w in """
    drammaturgo drammaturga regista pittore pittrice poeta poetessa filosofo filosofa scienziato scienziata
    ricercatore ricercatrice fisico chimico matematico storico storica architetto economista sociologo
    musicista compositore compositrice pianista chitarrista cantautore cantautrice rapper tennista ciclista
    pilota atleta cestista pugile nuotatore nuotatrice sciatore sciatrice campione campionessa fotografo
    fotografa medico chirurgo psichiatra psicologo psicologa ingegnere fondatore fondatrice ex attivista
    sindacalista politico politica militante portiere attaccante centrocampista difensore studente studentessa
    dramaturge réalisateur réalisatrice peintre poète poétesse philosophe scientifique chercheur chercheuse
    physicien historien historienne architecte économiste sociologue musicien musicienne compositeur
    compositrice pianiste guitariste chanteur cycliste pilote athlète boxeur nageur nageuse skieur skieuse
    champion championne photographe médecin chirurgien psychiatre psychologue ingénieur fondateur fondatrice
    militant militante syndicaliste avocate élu élue étudiant étudiante ancien ancienne
    dramatiker regissör regissören konstnär konstnären poet poeten filosof filosofen forskare forskaren
    professor historiker ekonom arkitekt musiker musikern kompositör pianist sångare sångaren sångerska
    cyklist idrottare boxare simmare fotograf fotografen läkare läkaren kirurg psykolog ingenjör grundare
    grundaren aktivist aktivisten politiker politikern student studenten advokat advokaten före
    playwright director painter poet philosopher scientist researcher physicist historian architect economist
    musician composer pianist guitarist cyclist athlete boxer swimmer photographer doctor surgeon engineer
    founder activist politician student lawyer former
""".split())
# Nouns for a person that an apposition after a name may use instead of a profession: "Terri Schiavo, la
# donna che …", "Jean Dupont, un homme de 45 ans", "Anna Berg, kvinnan som …".
PERSON_NOUNS = frozenset(fold(w) for w in """
    donna uomo ragazza ragazzo bambina bambino signora signore anziana anziano giovane vedova vedovo
    femme homme jeune fille garçon dame veuve veuf
    kvinna kvinnan mannen flicka flickan pojke pojken änka änkan
    woman man girl boy lady widow
""".split())
# Titles written short, with a full stop, and the title each stands for, in the articles of their language:
# "il dott. Abbass", "il Sig. Drummond", "M. Dupontel", "Mme Lagarde" (French writes Mme and Mlle without one).
# Only before a capitalized word, not in capitals ("D. M. © RIPRODUZIONE RISERVATA"), and not inside a
# capitalized run ("John M. Keynes"): elsewhere "sig." ends a Swedish sentence, "on" and "m" are a word, an initial.
ABBREVIATED_TITLES = {lang: {fold(short): fold(full) for short, full in (pair.split("=") for pair in pairs.split())}
                      for lang, pairs in {
    "it": "sig=signor sigg=signor dott=dottore prof=professore avv=avvocato ing=ingegnere on=onorevole "
          "mons=vescovo arch=architetto geom=ingegnere dr=dr",
    "fr": "m=monsieur mm=monsieur mme=madame mlle=madame me=avocat pr=professor dr=dr",
    "en": "mr=mr mrs=mrs ms=ms dr=dr prof=professor",
}.items()}
WRITTEN_WITHOUT_STOP = frozenset({"mme", "mlle"})
# Prepositions that open a sentence before a name: "Secondo/Selon/Enligt Martial Jorel".
SENTENCE_OPENERS = frozenset(fold(w) for w in "secondo selon enligt according laut según".split())
# Verbs whose subject is a person, folded, as one or two words after the name ("è morta", "a déclaré").
PERSON_VERBS = frozenset(tuple(fold(w) for w in phrase.split()) for phrase in """
    ha dichiarato; ha detto; ha affermato; ha spiegato; ha aggiunto; ha commentato; ha raccontato; ha ammesso;
    ha sottolineato; ha precisato; avrebbe detto; avrebbe dichiarato; avrebbe affermato; è morto; è morta;
    è nato; è nata; è deceduto; è deceduta; è stato arrestato;
    è stata arrestata; è stato eletto; è stata eletta; dichiara; afferma; racconta; spiega; aggiunge;
    a déclaré; a dit; a affirmé; aurait déclaré; aurait dit; a expliqué; a ajouté; a raconté; a confié;
    a indiqué; a précisé; a souligné;
    est mort; est morte; est né; est née; est décédé; est décédée; a été élu; a été élue; a été arrêté;
    a été arrêtée; déclare; affirme; explique; raconte; ajoute; estime; confie;
    säger; sade; sa; berättar; berättade; förklarar; förklarade; dog; föddes; avled; greps; valdes;
    said; says; told; died; was born; was arrested; was elected
""".split(";"))
# Folded, like the words they end: "rådet" is "radet" to a token.
TITLE_SUFFIXES = tuple(fold(w) for w in """
    minister ministern rådgivare rådgivaren diplomat diplomaten ledare ledaren chef chefen presidenten generalen
    sekreterare sekreteraren
    ministerin sprecher sprecherin kanzler kanzlerin präsident präsidentin chefin
    forscher forscherin händler händlerin führer führerin leiter leiterin schriftsteller schriftstellerin
    experte expertin ökonom ökonomin volkswirt volkswirtin analyst analystin berater beraterin politiker
    politikerin aktivist aktivistin journalist journalistin sekretär sekretärin vorsitzende vorsitzender
""".split())
ORG_WORDS = frozenset(fold(w) for w in """
    ministero ministry ministère consiglio council conseil partito party parti agenzia agency agence banca bank
    banque università university université fondazione foundation fondation gruppo group groupe commissione
    commission parlamento parliament parlement tribunale tribunal court cour corte organizzazione organization
    organisation istituto institute institut unione union fronte front associazione association comitato
    committee comité esercito army armée corporation company compagnie società holding airlines confederazione
    federazione fédération federation alleanza alliance movimento movement mouvement forum procura questura
    prefettura polizia police guardia gendarmerie news times post press agenzia spa srl inc ltd gmbh
    assembly assemblea assemblée congress congresso congrès senato senate sénat
""".split())
ORG_SUFFIXES = tuple(fold(w) for w in """
    partiet förbundet departementet myndigheten verket banken domstolen rådet kommissionen institutet
    universitetet styrelsen inspektionen akademien föreningen bolaget kyrkan polisen
""".split())
# Words with those endings that name an area or a person: "Stockholmsområdet" (folded, "-omradet" ends
# like "-rådet"), "statsrådet" (the minister), "landstingsrådet", "kommunalrådet".
NOT_ORG_ENDINGS = tuple(fold(w) for w in "området statsrådet landstingsrådet kommunalrådet regionrådet borgarrådet".split())
# A name right after these words is a place or a building named after someone (via Carlo Sigonio,
# carcere Sant'Anna, rue Victor Hugo), not a mention of the person; Swedish puts the noun after
# the name (Olof Palmes gata).
PLACE_WORDS_BEFORE = frozenset(fold(w) for w in """
    via viale piazza piazzale corso largo vicolo strada lungomare lungotevere borgo contrada località frazione
    carcere ospedale policlinico clinica stazione aeroporto porto stadio teatro scuola liceo chiesa basilica
    cattedrale duomo santuario parrocchia villa parco ponte galleria museo biblioteca caserma
    san sant santa santo santi
    rue avenue boulevard place quai allée impasse chemin pont gare hôpital lycée collège école église cathédrale
    stade théâtre musée parc saint sainte st ste
    sankt street road square hospital church airport station stadium bridge
    avenida plaza paseo carretera aeropuerto estación estadio colegio escuela iglesia catedral puente
    museo parque cárcel prisión
    jabal jebel djebel wadi oued
""".split())
PLACE_WORDS_AFTER = frozenset(fold(w) for w in """
    gata gatan väg vägen plats platsen torg torget park parken sjukhus sjukhuset skola skolan kyrka kyrkan
    street road square avenue
    straße strasse platz allee
""".split())
# Place words that are a given name elsewhere count only as written in lower case before the name: the
# Spanish "calle Mario Benedetti" is a street, the Swedish "Calle Jonsson" a man.
LOWER_CASE_PLACE_WORDS = frozenset({"calle"})
ELIDED_OF = re.compile(r"(?<![^\W\d_])(?:dell|degl|d)['’]\s*$", re.IGNORECASE)
# The word right before a name; a saint's abbreviation keeps its full stop ("S. Anna", "St. Paul"), which
# after any other word ends a sentence ("all'ospedale. Marco Rossi").
_WORD_BEFORE = re.compile(r"(?:([^\W\d_]+)['’]?|\b(S|St|Ste|Sta|Sto)\.)\s*$")
_WORD_AFTER = re.compile(r"^\s+([^\W\d_]+)")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
# The gap left by an elided particle inside a name: "Laura D'Arcangelo", "Sinéad O'Connor", "Jean d'Ormesson".
ELIDED_PARTICLE = re.compile(r"^ [DOd]['’]$")
NAME_PARTICLES = frozenset("von van der de da di del bin ibn al el le la du dos das d".split())  # d: D'Alema
ORG_CONNECTORS = NAME_PARTICLES | frozenset(
    "della delle dei degli dello des of the for för och and et e y för för i in per pour sur".split())
OF_WORDS = frozenset(fold(w) for w in "di del della dello dei degli delle d de du des of för vid i på at in al alla".split())
ARTICLES = frozenset("il lo la le les l gli i den det the el los las der die das".split())
# Nouns that say the acronym after them is an organization ("le syndicat CFDT", "il partito FdI").
ORG_NOUNS = frozenset(fold(w) for w in """
    syndicat parti partito sindacato partiet facket fackförbundet förbundet organisation organisationen
    organizzazione association associazione groupe gruppo koncernen société società agence agenzia banque banca
    banken compagnie compagnia movimento mouvement fondazione fondation stiftelsen institut istituto ong ngo
    company party union agency firm coalition coalizione alliance alleanza bolaget företaget myndigheten
    l'ong l'agence l'association l'organisation l'istituto l'agenzia l'associazione
""".split())
# Nouns that say the unknown capitalized name right after them is an organization's, as a title says a
# person's: "la società Gourmet's International", "il supermercato Simplymarket", "le quotidien Libération",
# "tidningen Expressen". Not nouns whose name is often a place or a unit's ("squadra Mobile", "casa").
ORG_APPOSITION_NOUNS = ORG_NOUNS | frozenset(fold(w) for w in """
    azienda aziende ditta impresa colosso marchio catena supermercato ipermercato multinazionale cooperativa
    quotidiano giornale settimanale mensile rivista periodico emittente testata
    entreprise firme enseigne marque constructeur opérateur quotidien journal hebdomadaire mensuel magazine
    revue chaîne l'entreprise l'enseigne l'opérateur l'hebdomadaire
    företaget bolaget koncernen kedjan tidningen tidskriften dagstidningen kvällstidningen föreningen
    fackförbundet partiet stiftelsen
    newspaper magazine firm carmaker retailer broadcaster
    empresa compañía grupo partido sindicato asociación fundación organización agencia diario periódico
    semanario revista cadena multinacional aseguradora constructora
""".split())
CONJUNCTIONS = frozenset("e ed et och and y und".split())
# What a minister or a president is of, capitalized between the title and the surname.
PORTFOLIOS = frozenset(fold(w) for w in """
    esteri interno interni istruzione giustizia difesa economia finanze salute sanità lavoro ambiente cultura
    sport turismo trasporti infrastrutture agricoltura università ricerca famiglia welfare sviluppo industria
    regione provincia repubblica camera senato
    intérieur justice défense économie finances santé travail culture éducation agriculture environnement
    armées sports transports industrie région département république assemblée sénat
    interior justice defence defense economy finance health labour labor culture education agriculture
    environment transport trade industry region republic
    exteriores justicia defensa economía hacienda sanidad trabajo cultura educación agricultura
    transportes industria región república
""".split())
# More words that make a capitalized name an organization's. Kept apart from ORG_WORDS, which the
# statistical tagger reads as a feature (index/tagger.py): changing that set would change its input.
ORG_NAME_WORDS = ORG_WORDS | frozenset(fold(w) for w in """
    comune giunta dipartimento consorzio orchestra orchestre ligue liga
    pictures studios records network philharmonic symphony club tidning dagblad dagbladet
""".split())
# Company and club markers, in capitals only: "Volvo AB", "Leksands IF", "AC Milan" ("if", "sa" are words).
ORG_MARKERS = frozenset(fold(w) for w in """
    ab sa ag nv bv plc llc oy asa spa srl sas sarl gmbh inc ltd if ff bk ik sk fc ac sc hk kk fk cf sv
""".split())
# Romance names put adjectives after the organization's noun: "Corte suprema", "Parti socialiste
# bulgare". Heads of bodies only: not "Chiesa" (a church is also a building) nor "Fronte" (a war front).
ROMANCE_ORG_HEADS = frozenset(fold(w) for w in """
    ministero ministère consiglio conseil partito parti agenzia agence banca banque università université
    fondazione fondation commissione commission parlamento parlement tribunale tribunal cour corte istituto
    institut unione union federazione fédération confederazione confédération alleanza alliance movimento
    mouvement procura polizia police gendarmerie assemblea assemblée congresso congrès senato sénat comitato
    comité esercito armée associazione association organizzazione organisation giunta governo
    gouvernement sindacato syndicat orchestra orchestre ligue
""".split())
# How Italian and French adjectives end ("costituzionale", "socialiste", "américaine", "supérieur").
ADJECTIVE_ENDINGS = tuple("""
    ale ali ano ana ani ane ese esi ico ica ici iche ivo iva ivi ive ario aria ari arie ista isti iste ense
    orio oria iore iori ema emo
    al aux ales el elle els elles ien ienne iens ais aise ois oise ique iques aire aires if ifs ives ain aine
    ains aines eur eure
""".split())
# Verbs with those endings that follow a subject ("la Regione comunica", "le Conseil explique"), and
# adjectives that describe rather than name ("la Procura locale" is whichever the story is about).
NOT_NAME_ADJECTIVES = frozenset(fold(w) for w in """
    locale locali local locaux competente competenti stesso stessa même
    perché poiché affinché benché finché sicché giacché
    comunica indica pubblica applica verifica modifica specifica rivendica giudica critica replica pratica
    spiega dichiara
    explique indique critique réplique communique applique revendique fabrique pratique publie déclare
""".split())
# Swedish writes the institution's noun in lower case after its place: "Göteborgs kommun", "Mora tingsrätt".
SWEDISH_INSTITUTIONS = frozenset(fold(w) for w in """
    kommun landsting tingsrätt hovrätt förvaltningsrätt kammarrätt universitet högskola museum museet
""".split())
# After a name's adjectives, these say it goes on: "Fédération hongroise de football", "... et européen".
NAME_GOES_ON = OF_WORDS | CONJUNCTIONS | frozenset("per pour par sur".split())
# "i Kiruna kommun" is where something happened: the municipality as a place.
SWEDISH_IN = frozenset("i inom utanför".split())
# Articles that never join two capitalized words into one name: "Ieri la Corte" is "yesterday the Court".
JOINING_NO_NAME = frozenset("il lo la le les gli the".split())
# Words a sentence-initial participle is followed by: "Nato a Verona" (born in), not NATO.
PARTICIPLE_ENDINGS = ("ato", "ata", "ati", "ate", "ito", "ita", "uto", "uta")
PARTICIPLE_FOLLOWERS = frozenset("a ad da in nel nella nei negli nelle il lo la".split())
# Articles, articled prepositions and possessives: news writes them before things ("un Beretta", "alle
# Gallerie Estensi", "il suo Ducato") and places, hardly ever before a person's full name.
DETERMINERS = frozenset(fold(w) for w in """
    il lo la i gli le l un uno una del dello della dei degli delle dell al allo alla ai agli alle all dal dallo
    dalla dai dagli dalle dall nel nello nella nei negli nelle nell sul sullo sulla sui sugli sulle sull suo sua
    suoi sue mio mia tuo tua nostro nostra vostro vostra loro
    les une du des au aux son sa ses leur leurs mon ma mes notre votre ce cet cette
    en ett den det denna detta sin sitt sina hans hennes
    the a an its his her their this
""".split())
# Languages whose genitive ends a name with -s ("Avesta Polarits", "Berlins"), so a final -s is no plural.
GENITIVE_S = frozenset("sv da no nb nn de is".split())
SENTENCE_BREAKS = frozenset('.!?…:;«»"“”„\n\r—–([')
HYPHENS = frozenset("-‐‑")
MAX_NAME_TOKENS = 6
# Titles that are also adjectives inside a capitalized name: "Service of General Economic Interest",
# "Premier League", "Reparto Tecnico", "Capo Verde": no name follows them there.
TITLES_IN_NAMES = frozenset("general generale premier prime tecnico capo".split())
SENTENCE_REACH = 600  # characters: how far from a name the tagger reads its sentence
TAGGER_CONFIDENT = 0.8  # a tagger PER span at least this sure (mean marginal) needs no other sign; tuned on dev


@dataclass(frozen=True)
class Mention:
    kind: str
    value: str
    text: str  # as written in the article
    start: int
    end: int
    is_new: bool = False  # discovered, not in the knowledge base


@dataclass(frozen=True)
class Proposal:
    """A name that looks like a known person's but not enough to be merged."""

    text: str
    candidate: str
    distance: int


@dataclass(frozen=True)
class Extraction:
    person: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    proposals: tuple[Proposal, ...] = ()

    def values(self, kind: str) -> tuple[str, ...]:
        return getattr(self, kind)


@dataclass(slots=True)
class _Token:
    folded: str
    start: int
    end: int
    text: str
    is_capitalized: bool
    is_all_caps: bool
    starts_sentence: bool
    in_compound: bool
    after_initial: bool = False  # right after a middle initial of the same name: the "Jackson" of "Samuel L. Jackson"
    after_particle: bool = False  # right after an elided particle, which the words leave out: "Laura D'Arcangelo"
    is_common: bool = False  # a function word (see `_common_for`), not a name's


@dataclass(slots=True)
class _Match:
    alias: Alias
    first: int  # token indexes, inclusive
    last: int


def extract_entities(text: str, lang: str = "", knowledge: KnowledgeBase | None = None,
                     use_tagger: bool = True, text_words: list | None = None) -> Extraction:
    """The entities ``text`` mentions, as facet values, with their mentions.

    ``use_tagger=False`` leaves out the statistical tagger (layer 5): for measuring what it adds.
    ``text_words`` is ``list(analysis.words(text))`` when the caller has it already (the indexer
    reads each article's words once, for its postings and for its entities).
    """
    knowledge = knowledge or load_knowledge()
    tokens = _tokens(text, text_words, _common_for(lang, knowledge.given_names), ABBREVIATED_TITLES.get(lang, {}))
    if not tokens:
        return Extraction()
    matches = _known_matches(tokens, _automaton(knowledge), lang)
    matches, mentions = _organizations_around_places(tokens, matches, text, knowledge, lang)
    matches, lowercase_named = _organizations_with_lowercase_words(tokens, matches, mentions, text)
    mentions += lowercase_named
    matches, companies = _companies_by_legal_form(tokens, matches, mentions, text)
    mentions += companies
    full = [m for m in matches if not m.alias.is_short]
    covered = _covered(tokens, full, mentions)  # mentions so far: organizations found around place names
    proposals: list[Proposal] = []
    accepted = [m for m in full if _passes_guards(m, tokens, covered, knowledge, proposals, text, lang)
                and not (m.alias.entity.kind == "person"
                         and _names_a_place(text, tokens[m.first].start, tokens[m.last].end))]
    # A country or organization name a guard rejected is free again for discovery: "Hollande" in
    # "François Hollande" is no Netherlands, and the person is found. (A rejected person's name stays
    # taken: "Difesa Shoigu" is not somebody new.)
    covered = _covered(tokens, accepted + [m for m in full if m.alias.entity.kind == "person"
                                           and not _someone_else(m, tokens, knowledge)], mentions)
    mentions += [_mention(m, tokens, text) for m in accepted]
    known_starts = {tokens[m.first].start for m in full if m.alias.entity.kind == "person"}
    mentions += [m for m in _variants_and_discoveries(tokens, covered, knowledge, text, proposals, lang)
                 if not (m.is_new and m.kind == "person" and _glued_to(text, m.end, known_starts))]
    # Short forms ("Wang", "Li") count only for an entity the article names in full.
    named = {(m.kind, m.value) for m in mentions}
    for match in matches:
        entity = match.alias.entity
        if match.alias.is_short and (entity.kind, entity.value) in named and not covered[match.first]:
            mentions.append(_mention(match, tokens, text))
    if use_tagger:
        taken = [a or b for a, b in zip(covered, _covered(tokens, [], mentions))]  # a rejected person's name too
        mentions += _tagged_names(text, lang, tokens, taken, knowledge)
    mentions += _surnames_of_discovered(tokens, _covered(tokens, [], mentions), mentions, knowledge)
    mentions += _sharing_a_surname(tokens, _covered(tokens, [], mentions), mentions, knowledge, text)
    mentions += _coordinated_people(tokens, mentions, knowledge, text, lang)
    mentions += _acronyms(tokens, _covered(tokens, [], mentions), mentions, text)
    return _collect(_surnames_as_full_names(mentions, knowledge), proposals, knowledge)


def _surnames_written(mentions: list[Mention]) -> dict[str, set[tuple[str, bool]]]:
    """The people the article writes with two words or more, by the last word as written, folded:
    surname → {(value, is_new)}."""
    people: dict[str, set[tuple[str, bool]]] = {}
    for mention in mentions:
        words = mention.text.split()
        if mention.kind == "person" and len(words) >= 2:
            people.setdefault(fold(words[-1]), set()).add((mention.value, mention.is_new))
    return people


def _surnames_as_full_names(mentions: list[Mention], knowledge: KnowledgeBase) -> list[Mention]:
    """A word alone is the one person the article names in full with it as a surname: a city's name ("Whitney
    Houston … Houston"), and a surname found alone after a title ("M. Gruber", "Oppositionsführerin
    Andersson"), in the genitive too ("Pagrotskys förslag" is Leif Pagrotsky's): one value, not two."""
    owners = _surnames_written(mentions)
    if not owners:
        return mentions
    result = []
    for mention in mentions:
        found = _full_name_owners(mention, owners, knowledge)
        if len(found) == 1:
            (value, is_new), = found
            mention = Mention("person", value, mention.text, mention.start, mention.end, is_new=is_new)
        result.append(mention)
    return result


def _full_name_owners(mention: Mention, owners: dict[str, set[tuple[str, bool]]],
                      knowledge: KnowledgeBase) -> set[tuple[str, bool]]:
    """The people written in full whose surname ``mention`` is alone, if it may be one (`_surnames_as_full_names`)."""
    if mention.kind == "country" and " " not in mention.text:
        folded = fold(mention.text)
        if any(alias.place for alias in knowledge.aliases.get((folded,), ())):  # a city, no country
            return owners.get(folded, set())
    elif mention.kind == "person" and mention.is_new and " " not in mention.value:
        folded = fold(mention.value)
        return owners.get(folded) or (owners.get(folded[:-1], set()) if folded.endswith("s") else set())
    return set()


def _glued_to(text: str, end: int, starts: set[int]) -> bool:
    """Whether a known person's name starts right after ``end`` ("Abdel Fattah | al-Sisi"): the same name."""
    return end in starts or (end + 1 in starts and text[end : end + 1] in " -")


def _someone_else(match: _Match, tokens: list[_Token], knowledge: KnowledgeBase) -> bool:
    """Whether a known person's one-word name is another person's surname: a given name comes before it.

    "Vincenzo Sisi" is not Abdel Fattah al-Sisi, and is found as somebody new;
    "Difesa Shoigu" stays Shoigu's. (A variant of the person's own name,
    "Wladimir Putin", was accepted by the guards before this is asked.)
    """
    if len(match.alias.tokens) > 1 or match.first == 0:
        return False
    before = tokens[match.first - 1]
    own_words = {word for name in knowledge.person_names.get(match.alias.entity.value, ()) for word in name}
    return (before.is_capitalized and before.folded in knowledge.given_names and before.folded not in own_words
            and before.end >= tokens[match.first].start - 1)


def _acronyms(tokens: list[_Token], covered: list[bool], mentions: list[Mention], text: str) -> list[Mention]:
    """Acronyms the article shows to be organizations, and each of their mentions.

    Evidence, in the article itself: a definition, "Union pour un mouvement
    populaire (UMP)" (the acronym then stands for the organization the words
    name, known or found), or an organization noun right before it ("le
    syndicat CFDT", "fackförbundet IF Metall"). Guards: no digits, two to six
    letters, not a Roman numeral, nothing in a line of capitals (a shouting
    headline), nothing the knowledge base already reads.
    """
    found: dict[str, tuple[str, bool]] = {}  # acronym → (value, is_new)
    result = []
    capitals = [i for i, token in enumerate(tokens) if token.is_all_caps and not covered[i]]  # few: skip the rest
    for i in capitals:
        token = tokens[i]
        if not _looks_like_acronym(token) or _in_capitals(tokens, i) or token.text in found:
            continue
        defined = _defined_by(tokens, i, mentions, text)
        if defined:
            found[token.text] = defined[:2]
            result += defined[2:]  # the defining words, when nothing had found them yet
        elif i > 0 and tokens[i - 1].folded in ORG_NOUNS and not tokens[i - 1].is_capitalized:
            found[token.text] = (token.text, True)
    for i in capitals if found else ():
        token = tokens[i]
        if token.text in found and not _in_capitals(tokens, i):
            value, is_new = found[token.text]
            result.append(Mention("org", value, token.text, token.start, token.end, is_new=is_new))
    return result


def _looks_like_acronym(token: _Token) -> bool:
    letters = token.text.replace("&", "")
    return (token.is_all_caps and 2 <= len(letters) <= 6 and letters.isalpha() and not _ROMAN.match(token.text)
            and token.folded not in _common_words())


def _in_capitals(tokens: list[_Token], i: int) -> bool:
    """Whether a token stands among other words in capitals (a headline, a name written in capitals)."""
    neighbours = [t for t in tokens[max(0, i - 2) : i] + tokens[i + 1 : i + 3] if len(t.text) > 1]
    return sum(t.is_all_caps for t in neighbours) >= 2


def _defined_by(tokens: list[_Token], i: int, mentions: list[Mention], text: str) -> tuple | None:
    """The organization "Full Name (ACR)" defines: (value, is_new), plus the words' mention if they are new.

    None if the words before the parenthesis do not spell the acronym.
    """
    token = tokens[i]
    if text[token.start - 1 : token.start] != "(" or text[token.end : token.end + 1] != ")" or i == 0:
        return None
    letters = [c for c in token.folded if c.isalpha()]
    j, k = i - 1, len(letters) - 1
    first = None
    while j >= 0 and k >= 0 and i - j <= 12:
        word = tokens[j]
        if word.folded[:1] == letters[k]:
            k -= 1
            first = j
        elif word.folded not in ORG_CONNECTORS and word.folded not in ARTICLES and word.folded not in _common_words():
            return None
        j -= 1
    if k >= 0 or first is None or not tokens[first].is_capitalized:
        return None
    start, end = tokens[first].start, tokens[i - 1].end
    for mention in mentions:  # the words name an organization already: the acronym is that one
        if mention.kind == "org" and mention.start < end and start < mention.end:
            return mention.value, mention.is_new
    value = _clean_name(text[start:end])
    return value, True, Mention("org", value, text[start:end], start, end, is_new=True)


def _tagged_names(text: str, lang: str, tokens: list[_Token], covered: list[bool], knowledge: KnowledgeBase):
    """People the statistical tagger finds where the knowledge base and the rules found nothing.

    The tagger (``index/tagger.py``) knows contexts the rules do not ("… ha
    dichiarato Giacomino Mambrini"), but on real local news a third of what it
    alone calls a person is a product, a place or a team (*Ford Fiesta*,
    *Castelnovo Monti*, *Libertas Fiorano*), so a name it proposes must still
    look like one (`_looks_like_tagged_name`), and have a second sign that it
    is a person: the model's own confidence (`TAGGER_CONFIDENT`), a given
    name, or the surname alone elsewhere in the article. Its organizations are
    too often wrong to use (measured: precision 0.4–0.7).
    """
    from index.tagger import tag_spans

    starts = [token.start for token in tokens]
    lowercase_words = {t.folded for t in tokens if not t.is_capitalized}
    alone = _capitalized_alone(tokens)
    for span in _tag_where_needed(text, lang, tokens, covered, knowledge, alone, tag_spans):
        if span.label != "PER":
            continue
        first, stop = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
        run = tokens[first:stop]
        if not run or any(covered[first:stop]) or run[0].start != span.start:
            continue
        if first and _glued_name_word(tokens, first - 1, covered, knowledge, lowercase_words):
            continue  # "Taha | Yassin Ramadan": the tagger cut a longer name, which it does not know
        if stop < len(tokens) and covered[stop] and tokens[stop].start - run[-1].end == 1:
            continue  # "Abdel Fattah | al-Sisi": given names glued to a name already found
        run = _from_given_name(run, knowledge, lowercase_words)
        if not _looks_like_tagged_name(run, text, knowledge, lowercase_words):
            continue
        if not _has_second_sign(run, span.score, tokens[first - 1] if first else None, knowledge, alone):
            continue
        written = text[run[0].start : run[-1].end]
        yield Mention("person", _clean_name(written), written, run[0].start, run[-1].end, is_new=True)


def _glued_name_word(tokens: list[_Token], i: int, covered: list[bool], knowledge: KnowledgeBase,
                     lowercase_words: set[str]) -> bool:
    """Whether token ``i``, right before a tagged span, could be the start of the same name.

    Not when it is what a title is of and a given name follows: "il fondatore
    di Eataly Oscar Farinetti" (Eataly is a company, Oscar starts the name).
    """
    token, after = tokens[i], tokens[i + 1]
    if covered[i] or after.start - token.end != 1 or after.starts_sentence or token.is_all_caps:
        return False
    if after.folded in knowledge.given_names and i > 0 and tokens[i - 1].folded in OF_WORDS:
        return False
    return _is_word(token) and not _is_title(token.folded) and _is_name_word(token, knowledge, lowercase_words)


def _from_given_name(run: list[_Token], knowledge: KnowledgeBase, lowercase_words: set[str]) -> list[_Token]:
    """The span from its first given name on, when the tagger took a word that is no name with it.

    "l'assessore alla Cultura Marco Pellizzari" is Marco Pellizzari; "Publio
    Valerio Publicola" stays whole (an unknown given name is still a name).
    """
    if run[0].folded in knowledge.given_names:
        return run
    for i in range(1, len(run) - 1):
        if run[i].folded in knowledge.given_names:
            if any(not _is_name_word(t, knowledge, lowercase_words) for t in run[:i]):
                return run[i:]
            break
    return run


def _has_second_sign(run: list[_Token], score: float, before: _Token | None, knowledge: KnowledgeBase,
                     alone: set[str]) -> bool:
    """Whether more than the tagger's say-so makes a person of a tagged name.

    A given name first, or the surname alone elsewhere in the article ("Mambrini
    ha detto": a person is named again by surname, a product is not), a
    nationality right before it ("le britannique Lennox Lewis"), or the
    model's own confidence (`TAGGER_CONFIDENT`) when no article or possessive
    comes right before ("un Beretta Ase Gold", "il suo Ducato Maxi" are things)
    and the name does not start with a particle. Never a name that starts with
    an article ("Le Magnolie", a care home): as for mastheads.
    """
    if run[0].folded in ARTICLES:
        return False
    names = [t for t in run if t.folded not in NAME_PARTICLES]
    if run[0].folded in knowledge.given_names or names[-1].folded in alone:
        return True
    if before is not None and not before.is_capitalized and _is_nationality(before.folded, knowledge):
        return True  # "le britannique Lennox Lewis", "del brasiliano Rubens Barrichello"
    if run[0].folded in NAME_PARTICLES or (before is not None and before.folded in DETERMINERS):
        return False
    return score >= TAGGER_CONFIDENT


def _is_nationality(folded: str, knowledge: KnowledgeBase) -> bool:
    """Whether a lower-case word is a country's adjective or demonym ("britannique", "brasiliano", "svensk")."""
    return any(alias.entity.kind == "country" and not any(alias.case) for alias in knowledge.aliases.get((folded,), ()))


def _looks_like_tagged_name(run: list[_Token], text: str, knowledge: KnowledgeBase, lowercase_words: set[str]) -> bool:
    """Whether the tokens of a tagger PER span look like a person's name, whatever the model's confidence.

    Two to four capitalized words with only spaces between them, none a common
    word, a word the article also writes in lower case, a known place, or a
    word of a known organization's name; not starting a sentence unless with a
    given name; not a place named after someone.
    """
    if not 2 <= len(run) <= 4:
        return False
    if any(b.start - a.end != 1 for a, b in zip(run, run[1:])) or any(not _is_word(t) or t.is_all_caps for t in run):
        return False
    names = [t for t in run if t.folded not in NAME_PARTICLES]
    if run[-1].folded in NAME_PARTICLES or any(t.folded in NAME_PARTICLES and not t.is_capitalized for t in run):
        return False  # "Antonio Di", "Bertoni di Pavullo" (someone from Pavullo): "Di Maio" is fine
    # After a given name a town's name is a surname, as the tagger says: "Lily Allen", "Whitney Houston".
    after_given_name = run[0].folded in knowledge.given_names
    if not all(_is_name_word(t, knowledge, lowercase_words, places_too=after_given_name) for t in names):
        return False
    if run[0].starts_sentence and run[0].folded not in knowledge.given_names:
        return False
    if any(t.folded in PLACE_WORDS_BEFORE or t.folded in PLACE_WORDS_AFTER for t in run):
        return False  # "Gustav Adolfs Torg"
    return not (_place_length(run, knowledge) == len(run) or _names_a_place(text, run[0].start, run[-1].end))


def _is_name_word(token: _Token, knowledge: KnowledgeBase, lowercase_words: set[str], places_too: bool = False) -> bool:
    """Whether a word can be part of a person's name: capitalized, and no common, place (unless
    ``places_too``) or organization word."""
    return (token.is_capitalized and not _is_common(token) and token.folded not in lowercase_words
            and (places_too or (token.folded,) not in knowledge.places)
            and token.folded not in _organization_words(knowledge))


def _tag_where_needed(text, lang, tokens, covered, knowledge: KnowledgeBase, alone: set[str], tag_spans):
    """The tagger's spans, from the sentences alone that hold a name it could add (tagging is half the cost)."""
    ranges: list[list[int]] = []
    for first, last in _capitalized_runs(tokens, covered):
        if not _worth_tagging(tokens, first, last, knowledge, alone):
            continue
        # The sentence around the name, at most SENTENCE_REACH characters each way (a text without
        # full stops must not make each name rescan the whole article).
        low, high = max(0, tokens[first].start - SENTENCE_REACH), tokens[last].end + SENTENCE_REACH
        start = max(text.rfind(mark, low, tokens[first].start) for mark in (". ", "\n", "! ", "? "))
        ends = [i for i in (text.find(mark, tokens[last].end, high) for mark in (". ", "\n", "! ", "? ")) if i >= 0]
        start, end = (start + 1 if start >= 0 else low), min(ends, default=min(high, len(text)))
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    for start, end in ranges:
        for span in tag_spans(text[start:end], lang):
            yield span._replace(start=start + span.start, end=start + span.end)


def _worth_tagging(tokens: list[_Token], first: int, last: int, knowledge: KnowledgeBase, alone: set[str]) -> bool:
    """Whether a capitalized run could hold a person the tagger would add: two or three words, or more with
    a given name among them ("alla Cultura Marco Pellizzari") or ending with a surname the article also writes
    alone. The whole sentence is tagged, so other names in it are read too ("… par Oskar Tvelund et Zorvek
    Brask").

    Measured (test split, bench/entity_cost.py --articles 3000): tagging the
    two- and three-word runs without a given name too added half a point of
    people recall and left extraction at 25% of indexing time, once the
    indexer shared its words with the extractor (it had been 28% to 33%).
    """
    return last > first and (tokens[last].folded in alone or last - first <= 2
                             or any(t.folded in knowledge.given_names for t in tokens[first:last + 1]))


def _capitalized_alone(tokens: list[_Token]) -> set[str]:
    """Capitalized words that stand alone somewhere in the text (no capitalized word beside them).

    A sentence may start with one ("Mambrelli ha spiegato"), if it is no common word.
    """
    alone = set()
    for i, token in enumerate(tokens):
        if not token.is_capitalized or (token.starts_sentence and _is_common(token)):
            continue
        before = i > 0 and tokens[i - 1].is_capitalized and token.start - tokens[i - 1].end <= 1
        after = i + 1 < len(tokens) and tokens[i + 1].is_capitalized and not tokens[i + 1].starts_sentence \
            and tokens[i + 1].start - token.end <= 1
        if not before and not after:
            alone.add(token.folded)
    return alone


@functools.lru_cache(maxsize=4)
def _organization_words(knowledge: KnowledgeBase) -> frozenset[str]:
    """Every word of a known organization's or country's names, and the organization words: not a person's.

    Not a country's adjective, which an office's name takes ("Ministerio de Exteriores chino", "il ministro
    degli Esteri russo") but which says nothing of a capitalized word written like it: "Marco Russo", "El
    Chino", a nickname. The adjective alone is matched as the country where the article writes it so.
    One written like a country's name or its genitive stays: the Swedish "ministern Palestinas" (Spanish
    "palestinas") names no one.
    """
    adjectives, names = set(), set()
    for tokens, aliases in knowledge.aliases.items():
        for alias in aliases:
            if len(tokens) == 1 and alias.entity.kind == "country":
                (names if any(alias.case) else adjectives).add(tokens[0])
    adjectives -= names | {name + "s" for name in names}
    words = {token for tokens, aliases in knowledge.aliases.items() for token in tokens
             if any(a.entity.kind != "person" for a in aliases) and len(token) > 2}
    return frozenset((words - adjectives) | ORG_WORDS) - knowledge.given_names


def _surnames_of_discovered(tokens: list[_Token], covered: list[bool], mentions: list[Mention],
                            knowledge: KnowledgeBase):
    """A discovered person's surname alone ("Bianchi", "Bianchis") is that person once the article names them in full,
    and so is any person's given name alone ("Luciano Paletti … Luciano ha detto"), as feature stories write.

    Only when one person has that surname or given name: "Rossi" after Marco and Anna Rossi is either.
    """
    owners: dict[str, set[str]] = {}
    given: dict[str, set[tuple[str, bool]]] = {}
    for mention in mentions:
        words = mention.value.split()
        if mention.kind != "person" or len(words) < 2:
            continue
        if mention.is_new and len(words[-1]) >= 3:
            owners.setdefault(fold(words[-1]), set()).add(mention.value)
        first_word = fold(mention.text.split()[0])
        if first_word in knowledge.given_names:
            given.setdefault(first_word, set()).add((mention.value, mention.is_new))
    if not owners and not given:
        return
    for i, token in enumerate(tokens):
        if covered[i] or not token.is_capitalized or token.is_all_caps:
            continue
        if (i + 1 < len(tokens) and not covered[i + 1] and tokens[i + 1].is_capitalized
                and not tokens[i + 1].starts_sentence and tokens[i + 1].start - token.end <= 1):
            continue  # part of a longer name
        before = tokens[i - 1] if i > 0 else None
        if (before is not None and not covered[i - 1] and before.is_capitalized and not token.starts_sentence
                and token.start - before.end <= 1
                and not (before.starts_sentence and before.folded not in knowledge.given_names)):
            continue  # "Anna Kravtsivskyj" is somebody else
        values = owners.get(token.folded) or owners.get(token.folded[:-1] if token.folded.endswith("s") else "")
        if values and len(values) == 1:
            yield Mention("person", next(iter(values)), token.text, token.start, token.end, is_new=True)
        elif not values and len(given.get(token.folded, ())) == 1 and not _is_common(token):
            (value, is_new), = given[token.folded]
            yield Mention("person", value, token.text, token.start, token.end, is_new=is_new)


def _sharing_a_surname(tokens: list[_Token], covered: list[bool], mentions: list[Mention],
                       knowledge: KnowledgeBase, text: str) -> list[Mention]:
    """Two words ending with the surname of a person the article names in full, as another person: "il
    ventiseienne Tamerlan Tsarnaev … e Dzhokhar Tsarnaev", "Marie Curie … Pierre Curie".

    Relatives share a surname, and so do the given names no list knows. The first word must be
    able to start a name (`_is_name_word`: no common, place or organization word, nor one the
    article writes in lower case), so that "Governo Meloni" or "Casa Savoia" stay what they are, and
    the word before, if any, a function word or a title but no determiner or other word, which would
    make the name a shop's or an office's ("la Cicli Paletti", "lo studio Dallari Rovatti").
    """
    surnames = _surnames_written(mentions)
    if not surnames:
        return []
    lowercase_words = {t.folded for t in tokens if not t.is_capitalized}
    found = []
    for first, last in _capitalized_runs(tokens, covered):
        if last != first + 1 or tokens[last].folded not in surnames or text[tokens[first].end : tokens[last].start] != " ":
            continue
        given = tokens[first]
        if (given.is_all_caps or len(given.folded) < 3 or not _is_word(given) or _is_title(given.folded)
                or (given.starts_sentence and given.folded in SENTENCE_OPENERS)
                or not _is_name_word(given, knowledge, lowercase_words)):
            continue
        before = tokens[first - 1] if first else None
        if before is not None and text[before.end : given.start] == " " and (
                before.folded in DETERMINERS or not (before.folded in _common_words() or _is_title(before.folded))):
            continue  # "alla Cicli Paletti", "lo studio dentistico Dallari Rovatti": a shop, an office
        run = tokens[first : last + 1]
        written = text[given.start : run[-1].end]
        found.append(Mention("person", _discovered_name(run, text), written, given.start, run[-1].end, is_new=True))
    return found


def _coordinated_people(tokens: list[_Token], mentions: list[Mention], knowledge: KnowledgeBase, text: str,
                        lang: str) -> list[Mention]:
    """Names listed with a person, as people: "Alexander Wurz e Kazuki Nakajima", "Idris Elba, Will Ferrell, …".

    Words joined by a comma or a conjunction are of one kind, so a name that
    no rule knows (an unknown given name, a given name that is also a word,
    as *Will* is in English) is a person when the name beside it is one. The
    neighbour must look like a name: two to four capitalized words with spaces
    between them (one word only beside a one-word person: "Alaa e Gamal"), none
    a stop word of the article's language, a word it writes in lower case, a
    place or an organization word, and not a place named after someone. A
    list spreads: each name found makes its own neighbour a candidate.
    """
    starts = [token.start for token in tokens]
    lowercase_words = {t.folded for t in tokens if not t.is_capitalized}
    common = _stop_words_of(lang) or _common_words()  # a language with no list: all
    found: list[Mention] = []
    pending = [m for m in mentions if m.kind == "person"]
    covered = _covered(tokens, [], mentions) if pending else []
    while pending:
        person = pending.pop()
        first = bisect.bisect_left(starts, person.start)
        last = bisect.bisect_left(starts, person.end) - 1
        if first > last:
            continue
        one_word = first == last
        after, before = _listed_after(tokens, last, text), _listed_before(tokens, first, text)
        # An item linked by a comma must end as a list item does, unless the list goes on past the
        # person: "Il met en vedette Will Smith, Margot Robbie, Jared Leto" ("vedette" ends no item).
        for (run, by_comma, closed), other in ((after, before), (before, after)):
            closed = closed or bool(other[0])
            if not run or any(covered[i] for i in run):
                continue
            words = [tokens[i] for i in run]
            if not (1 if one_word and not by_comma else 2) <= len(words) <= 4:
                continue  # "Bodström, Thomas" is one person, written surname first
            if by_comma and not closed:
                continue  # "Navigando in Internet, Guerini ha scoperto": the comma ends a clause
            if not _listed_name(words, common, lowercase_words, knowledge, text):
                continue
            written = text[words[0].start : words[-1].end]
            mention = Mention("person", _discovered_name(words, text), written, words[0].start, words[-1].end,
                              is_new=True)
            found.append(mention)
            pending.append(mention)
            for i in run:
                covered[i] = True
    return found


LIST_GAPS = frozenset([", "] + [f" {word} " for word in CONJUNCTIONS] + [f", {word} " for word in CONJUNCTIONS])


def _listed_after(tokens: list[_Token], last: int, text: str) -> tuple[list[int], bool, bool]:
    """The capitalized words after token ``last`` and a comma or conjunction: their indexes, whether a
    comma alone links them, and whether they end as a list item does (`_ends_item`)."""
    i = last + 1
    while i < len(tokens) and tokens[i].folded in CONJUNCTIONS and not tokens[i].is_capitalized:
        i += 1
    gap = text[tokens[last].end : tokens[i].start] if i < len(tokens) else ""
    if gap not in LIST_GAPS:
        return [], False, False
    run = [i]
    while (run[-1] + 1 < len(tokens) and tokens[run[-1] + 1].is_capitalized
           and text[tokens[run[-1]].end : tokens[run[-1] + 1].start] == " "):
        run.append(run[-1] + 1)
    beyond = run[-1] + 1
    closed = beyond == len(tokens) or _ends_item(text[tokens[run[-1]].end : tokens[beyond].start], tokens[beyond])
    return run, gap == ", ", closed


def _listed_before(tokens: list[_Token], first: int, text: str) -> tuple[list[int], bool, bool]:
    """The capitalized words before token ``first`` and a comma or conjunction, as `_listed_after`."""
    i = first - 1
    while i >= 0 and tokens[i].folded in CONJUNCTIONS and not tokens[i].is_capitalized:
        i -= 1
    gap = text[tokens[i].end : tokens[first].start] if i >= 0 else ""
    if gap not in LIST_GAPS:
        return [], False, False
    run = [i]
    while (run[0] > 0 and tokens[run[0] - 1].is_capitalized and not tokens[run[0]].starts_sentence
           and text[tokens[run[0] - 1].end : tokens[run[0]].start] == " "):
        run.insert(0, run[0] - 1)
    beyond = run[0] - 1
    closed = beyond < 0 or _ends_item(text[tokens[beyond].end : tokens[run[0]].start], tokens[beyond])
    return run, gap == ", ", closed


def _ends_item(gap: str, beyond: _Token) -> bool:
    """Whether a list item ends here: at a mark or a conjunction ("…, Will Ferrell, Kathy Bates e …"), not
    at a word or a number ("(Willem Dekker, Aqua Reports 2015:11)", "Navigando in Internet, Guerini")."""
    return bool(gap.strip()) or (beyond.folded in CONJUNCTIONS and not beyond.is_capitalized)


def _listed_name(words: list[_Token], common: frozenset[str], lowercase_words: set[str],
                 knowledge: KnowledgeBase, text: str) -> bool:
    """Whether capitalized words listed beside a person can be a person's name (see `_coordinated_people`)."""
    if words[0].starts_sentence and words[0].folded not in knowledge.given_names:
        return False
    for token in words:
        if not token.is_capitalized or token.is_all_caps or not _is_word(token) or len(token.folded) < 2:
            return False
        if (token.folded in common or token.folded in lowercase_words or token.folded in PERSON_TITLES
                or (token.folded,) in knowledge.places or token.folded in _organization_words(knowledge)
                or token.folded in PLACE_WORDS_BEFORE or token.folded in PLACE_WORDS_AFTER):
            return False
    if len(words) == 1 and len(words[0].folded) < 3:
        return False
    return not (_place_length(words, knowledge) or _names_a_place(text, words[0].start, words[-1].end))


def _covered(tokens: list[_Token], matches: list[_Match], mentions: list[Mention]) -> list[bool]:
    """Which tokens belong to a match or a mention already: discovery leaves them alone."""
    covered = [False] * len(tokens)
    for match in matches:
        for i in range(match.first, match.last + 1):
            covered[i] = True
    if mentions:
        starts = [token.start for token in tokens]
        for mention in mentions:
            for i in range(bisect.bisect_left(starts, mention.start), bisect.bisect_left(starts, mention.end)):
                covered[i] = True
    return covered


def _collect(mentions: list[Mention], proposals: list[Proposal], knowledge: KnowledgeBase) -> Extraction:
    mentions = _without_genitives(mentions, knowledge)
    by_kind: dict[str, Counter] = {kind: Counter() for kind in FACET_KINDS}
    implied = []
    for mention in mentions:
        by_kind[mention.kind][mention.value] += 1
        entity = knowledge.entities_by_value.get((mention.kind, mention.value))
        for code in entity.implies if entity else ():
            implied.append(Mention("country", code, mention.text, mention.start, mention.end))
    for mention in implied:
        by_kind["country"][mention.value] += 1
    ordered = tuple(sorted(mentions + implied, key=lambda m: (m.start, m.kind)))
    return Extraction(
        person=_ranked(by_kind["person"]),
        country=_ranked(by_kind["country"]),
        org=_ranked(by_kind["org"]),
        mentions=ordered,
        proposals=tuple(dict.fromkeys(proposals)),
    )


def _without_genitives(mentions: list[Mention], knowledge: KnowledgeBase) -> list[Mention]:
    """A discovered "Anna Lindhs" is Anna Lindh when the article (or the knowledge base) names her so;
    a discovered "Skolverkets" is always Skolverket (an institution's genitive, `_swedish_institution`)."""
    people = {m.value for m in mentions if m.kind == "person"}
    result = []
    for mention in mentions:
        base = mention.value[:-1]
        if (mention.kind == "org" and mention.is_new and " " not in mention.value and mention.value.endswith("s")
                and _swedish_institution(fold(base))):
            mention = Mention("org", base, mention.text, mention.start, mention.end, is_new=True)
        if (mention.kind == "person" and mention.is_new and mention.value.endswith("s") and len(base.split()[-1]) > 2
                and (base in people or ("person", base) in knowledge.entities_by_value)):
            mention = Mention("person", base, mention.text, mention.start, mention.end,
                              is_new=("person", base) not in knowledge.entities_by_value)
        result.append(mention)
    return result


def _ranked(counter: Counter) -> tuple[str, ...]:
    return tuple(value for value, _ in sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _tokens(text: str, text_words=None, common: tuple[frozenset, frozenset] | None = None,
            short_titles: dict[str, str] | None = None) -> list[_Token]:
    """The article's words as tokens; ``common`` is `_common_for`'s pair (every function word by default);
    ``short_titles`` the language's `ABBREVIATED_TITLES`, each read as the title it stands for."""
    short_titles = short_titles or {}
    at_start, inside = common or (_common_words(), _common_words())
    tokens: list[_Token] = []
    previous_end = 0
    title_read = False  # the last token was a short title, read as the title it stands for
    append = tokens.append
    seen: dict[str, tuple] = {}  # written word → what the fast path needs of it: most words recur
    for written, start, end, is_whole in words(text) if text_words is None else text_words:
        if is_whole:
            continue  # the joined form of a compound: names are made of its parts
        if start - previous_end == 1 and tokens and text[previous_end] == " ":
            # One space before it, as most words have: inside a sentence, after no initial or particle.
            known = seen.get(written)
            if known is None:
                folded = fold(written)
                known = seen[written] = (folded, folded in short_titles, written[:1].isupper(), written.isupper(),
                                         folded in inside)
            folded, is_short_title, capitalized, all_caps, common_inside = known
            if not is_short_title:
                append(_Token(folded, start, end, written, capitalized, all_caps, False,
                              text[end : end + 1] in HYPHENS, False, False, common_inside))
                title_read = False
                previous_end = end
                continue
        gap = text[previous_end:start]
        # Most gaps are one space: only the others can end a sentence, follow an initial or an elided particle.
        plain = gap == " "
        after_initial = gap == ". " and bool(tokens) and _is_name_initial(tokens, text)
        after_particle = (len(gap) == 3 and bool(tokens) and ELIDED_PARTICLE.match(gap) is not None
                          and tokens[-1].is_capitalized)
        folded = fold(written)
        starts_sentence = not tokens or (not plain and not SENTENCE_BREAKS.isdisjoint(gap) and not after_initial
                                         and not (title_read and gap == ". "))
        title_read = folded in short_titles and _before_a_name(text, end, folded) and (
            not tokens or starts_sentence or not tokens[-1].is_capitalized
            or (tokens[-1].starts_sentence and len(tokens[-1].text) > 1))
        if title_read:
            folded = short_titles[folded]  # "dott." is "dottore" to every rule
        append(_Token(
            folded, start, end, written,
            written[:1].isupper(),  # is_capitalized
            written.isupper(),  # is_all_caps: one letter too, the H and M of "H&M"
            starts_sentence,
            text[end : end + 1] in HYPHENS or (start > 0 and text[start - 1] in HYPHENS),  # in_compound
            after_initial,
            after_particle,
            folded in (at_start if starts_sentence else inside),
        ))
        previous_end = end
    return tokens


def _before_a_name(text: str, end: int, short_title: str) -> bool:
    """Whether a short title ends at ``end`` with its full stop (none for "Mme"), and a capitalized word follows."""
    at = end + 1 if text[end : end + 1] == "." else end if short_title in WRITTEN_WITHOUT_STOP else -1
    return at > 0 and text[at : at + 1] == " " and text[at + 1 : at + 2].isupper() and text[at + 2 : at + 3].islower()


def _is_name_initial(tokens: list[_Token], text: str) -> bool:
    """Whether the last token, a capital letter and a full stop, is a middle initial rather than a sentence's end.

    It is when the word before it is capitalized or a title, and so belongs to
    the same name or announces it: "Samuel L. Jackson", "il cardinale J. H.
    Newman" (H follows the initial J), or a function word, which no sentence
    ends with: "réalisé par D. W. Griffith", "scritto da F. Scott Fitzgerald".
    "la vitamina C. Marco" ends a sentence.
    """
    initial = tokens[-1]
    if len(initial.text) != 1 or not initial.is_all_caps or len(tokens) < 2:
        return False
    if initial.after_initial:
        return True
    before = tokens[-2]
    return text[before.end : initial.start] == " " and (
        before.is_capitalized or _is_title(before.folded) or before.folded in _common_words())


@functools.lru_cache(maxsize=4)
def _automaton(knowledge: KnowledgeBase):
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for tokens, aliases in knowledge.aliases.items():
        key = " " + " ".join(tokens) + " "
        automaton.add_word(key, (len(key), len(tokens), aliases))
    automaton.make_automaton()
    return automaton


def _known_matches(tokens: list[_Token], automaton, lang: str = "") -> list[_Match]:
    """Longest valid alias matches, left to right, not overlapping; an alias of some languages only
    ("MP@sv") in an article of one of them."""
    joined = " " + " ".join(t.folded for t in tokens) + " "
    starts = []
    at = 1
    for token in tokens:
        starts.append(at)
        at += len(token.folded) + 1
    candidates = []
    for end, (key_length, token_count, aliases) in automaton.iter(joined):
        first = bisect.bisect_left(starts, end - key_length + 2)
        last = first + token_count - 1
        # The first alias that fits, and the first full one if that was a short form: one entity's
        # short form ("Dell" for a person) must not hide another's full name written the same.
        cut = token_count > 1 and _compound_goes_on(tokens, last)  # "La Croix|-Rouge" is no "La Croix"
        for alias in aliases:
            if (_case_fits(alias, tokens, first) and (not alias.is_combining or tokens[first].in_compound)
                    and (not alias.languages or lang in alias.languages) and not cut):
                candidates.append(_Match(alias, first, last))
                if not alias.is_short:
                    break
    # Longest first among overlapping candidates; short forms never hide a full name.
    chosen: list[_Match] = []
    taken = bytearray(len(tokens))
    for match in sorted(candidates, key=lambda m: (m.alias.is_short, -(m.last - m.first), m.first)):
        if not any(taken[match.first : match.last + 1]):
            taken[match.first : match.last + 1] = b"\x01" * (match.last - match.first + 1)
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.first)


def _compound_goes_on(tokens: list[_Token], last: int) -> bool:
    """Whether token ``last`` is followed by a capitalized next part of the same hyphenated word: the
    name goes on ("La Croix-Rouge"), where a lower-case part makes a compound of it ("Coca-Cola-fabrik")."""
    return last + 1 < len(tokens) and _after_hyphen(tokens, last + 1) and tokens[last + 1].is_capitalized


def _case_fits(alias: Alias, tokens: list[_Token], first: int) -> bool:
    for rule, token in zip(alias.case, tokens[first : first + len(alias.case)]):
        if rule == CAPITAL and not token.is_capitalized:
            return False
        if rule == ALL_CAPS and not token.is_all_caps:
            return False
    return True


def _organizations_around_places(tokens, matches: list[_Match], text: str, knowledge: KnowledgeBase, lang: str):
    """Organizations whose names contain a place (*Università di Malta*, the *Rangers de New York*): the
    place is not a mention.

    Returns the matches left and the organizations found, as new mentions.
    """
    given_names = knowledge.given_names
    places = [m for m in matches if m.alias.entity.kind == "country" and any(m.alias.case)]
    if not places:
        return matches, []
    # One capitalized word of a known body inside the run is a word of this name too: "Procura della
    # Repubblica di Bologna" is no La Repubblica (the newspaper).
    known_words = [m for m in matches if m.first == m.last and m.alias.entity.kind == "org" and CAPITAL in m.alias.case]
    place_ids = {id(m) for m in places + known_words}  # by identity: list membership would compare every pair
    covered = _covered(tokens, [m for m in matches if id(m) not in place_ids], [])
    dropped, found = set(), []
    places.sort(key=lambda m: m.first)
    place_starts = [m.first for m in places]  # places inside a run by bisection: linear in the article's length
    runs = (piece for run in _capitalized_runs(tokens, covered)
            for piece in _split_organizations(tokens, *run, given_names))
    lowercase_words = None
    word_starts = {m.first for m in known_words}
    for first, last in runs:
        first = _trim_run(tokens, first, last)
        if first in word_starts:
            continue  # "Polismyndigheten i Stockholm" is the known body, in a town
        nearby = places[bisect.bisect_left(place_starts, first) : bisect.bisect_right(place_starts, last)]
        inside = [m for m in nearby if m.last <= last]
        if not inside:
            continue
        for place in inside:  # "la Questura di Modena Mario Leggiero": the body, then a person
            if place.last + 2 <= last and tokens[place.last + 1].folded in given_names:
                last = place.last
                inside = [m for m in inside if m.last <= last]
                break
        outside = [t for i, t in enumerate(tokens[first : last + 1], start=first)
                   if not any(m.first <= i <= m.last for m in inside)]
        if lowercase_words is None:
            lowercase_words = {t.folded for t in tokens if not t.is_capitalized}
        if _has_org_word(outside) or _team_of_a_place(tokens[first : last + 1], tokens, first, knowledge,
                                                      lowercase_words, lang in GENITIVE_S):
            dropped.update(id(m) for m in inside)
            dropped.update(id(m) for m in known_words if first <= m.first <= last)
            start, end = tokens[first].start, tokens[last].end
            found.append(Mention("org", _clean_name(text[start:end]), text[start:end], start, end, is_new=True))
    return [m for m in matches if id(m) not in dropped], found


# A company's legal form written after its name, with its full stops: "Ciip S.p.A.", "Thales Alenia Space
# S.A.S.", "Acme Inc.". Written without them ("SpA", "AB", "GmbH") it is a token `ORG_MARKERS` reads.
LEGAL_FORM = re.compile(r",? (?:S\.p\.A|S\.r\.l|S\.n\.c|S\.a\.s|S\.A\.S|S\.A\.R\.L|S\.A|N\.V|B\.V|A\.G|"
                        r"L\.L\.C|Inc|Ltd|Corp|Co)\.(?=\s|$|[,;:)])")


def _companies_by_legal_form(tokens, matches: list[_Match], mentions: list[Mention], text: str):
    """Companies named with their legal form: the capitalized words right before it (at most
    `MAX_NAME_TOKENS`, not a sentence-initial common word) and the form are one organization, and a
    known name inside ("Thales" of "Thales Alenia Space S.A.S.") is part of it, not a mention.

    Returns the matches left and the companies found.
    """
    if "." not in text:
        return matches, []
    starts = [token.start for token in tokens]
    covered = _covered(tokens, [], mentions)
    found, dropped = [], set()
    for form in LEGAL_FORM.finditer(text):
        last = bisect.bisect_left(starts, form.start()) - 1
        if last < 0 or tokens[last].end != form.start() or covered[last]:
            continue
        first = last
        while (first > 0 and last - first + 1 < MAX_NAME_TOKENS and not covered[first - 1]
               and tokens[first - 1].is_capitalized and not tokens[first].starts_sentence
               and text[tokens[first - 1].end : tokens[first].start] in (" ", "-", " & ")):
            first -= 1
        while first <= last and tokens[first].starts_sentence and _is_common(tokens[first]):
            first += 1
        if first > last or not tokens[first].is_capitalized or not _is_word(tokens[first]):
            continue
        if any(m.first < first <= m.last for m in matches):
            continue  # a known name ends inside: "U.S. Army Corp." is no "Army Corp."
        start, end = tokens[first].start, form.end()
        written = text[start:end]
        found.append(Mention("org", _clean_name(written), written, start, end, is_new=True))
        dropped.update(id(m) for m in matches if first <= m.first and m.last <= last)
        covered[first : last + 1] = [True] * (last - first + 1)
    return [m for m in matches if id(m) not in dropped], found


def _has_org_word(tokens) -> bool:
    """Whether a name holds an organization word, or a company or club marker beside a word not in capitals."""
    return any(_is_org_word(t.folded) for t in tokens) or (
        any(t.is_all_caps and t.folded in ORG_MARKERS for t in tokens) and any(t.is_capitalized and not t.is_all_caps for t in tokens))


@functools.lru_cache(maxsize=100_000)  # asked of every word of every run: news vocabulary is Zipfian
def _is_org_word(folded: str) -> bool:
    return folded in ORG_NAME_WORDS or _ends_like_a_body(folded)


def _organizations_with_lowercase_words(tokens, matches: list[_Match], mentions: list[Mention], text: str):
    """Organizations whose names go on in lower case: "Corte suprema", "Göteborgs kommun".

    Two patterns: an Italian or French organization noun, capitalized inside
    a sentence (a sentence-initial capital says nothing), followed by one to
    three adjectives ("Tribunale speciale iracheno", "Parti socialiste
    bulgare"); or any organization's capitalized name followed by a
    nationality ("Ministero della Sanità sudafricano"); and a Swedish place or
    genitive followed by an institution's noun ("Mora tingsrätt"). A
    nationality inside is not a mention of the country. Returns the matches
    left and the organizations found.
    """
    nationality = {m.first for m in matches if m.alias.entity.kind == "country" and m.first == m.last
                   and not any(m.alias.case)}
    # A one-word city is free to start a Swedish body's name ("Malmö kommun", "Uppsala universitet").
    towns = {m.first for m in matches if m.alias.place and m.first == m.last}
    covered = _covered(tokens, [m for m in matches if m.first not in nationality | towns], mentions)
    found, dropped = [], set()
    for first, last in _runs_of_names(tokens, covered):
        first = _trim_run(tokens, first, last)
        if first > last:
            continue
        end = last
        if first == last and _is_romance_head(tokens[first]):
            end = _adjectives_after(tokens, last, nationality)
            if (first >= 2 and tuple(t.folded for t in tokens[first - 2 : first + 1]) in PRIME_MINISTER_TITLES
                    and all(i in nationality for i in range(last + 1, end + 1))):
                continue  # "la presidente del Consiglio italiano Giorgia Meloni": a title, no body
            if end + 1 < len(tokens) and tokens[end + 1].folded in NAME_GOES_ON:
                end = _field_after(tokens, end, text) if end > last else None
                if end is None:
                    continue  # "Ligue nationale des échecs et …": where it ends is not known, so nothing is said
        elif _has_org_word(tokens[first : last + 1]):
            while end + 1 < len(tokens) and end - last < 1 and end + 1 in nationality and _adjacent(tokens, end):
                end += 1
        elif (last + 1 < len(tokens) and tokens[last + 1].folded in SWEDISH_INSTITUTIONS
              and not tokens[last + 1].is_capitalized and _adjacent(tokens, last) and _is_name_word_alone(tokens[last])
              and not (first > 0 and tokens[first - 1].folded in SWEDISH_IN)):  # "i Kiruna kommun": a place
            end = last + 1
            if last in towns:
                first = last  # "Både Stockholms kommun": the town's body, not the sentence's first word
            dropped.update(i for i in range(first, last + 1) if i in towns)
        if end == last:
            continue
        dropped.update(i for i in range(last + 1, end + 1) if i in nationality)
        start, stop = tokens[first].start, tokens[end].end
        found.append(Mention("org", _clean_name(text[start:stop]), text[start:stop], start, stop, is_new=True))
    return [m for m in matches if m.first not in dropped], found


# The head of an Italian (and once a French) government's title, whose "Council" is no body of its own.
PRIME_MINISTER_TITLES = frozenset(tuple(fold(w) for w in title.split()) for title in
                                  "presidente del consiglio;président du conseil;présidente du conseil".split(";"))
# Days, months and other words of time, which an "of" after a body's name introduces as a date.
TIME_WORDS = frozenset(fold(w) for w in """
    lunedì martedì mercoledì giovedì venerdì sabato domenica ieri oggi domani stamattina stasera
    gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
    lundi mardi mercredi jeudi vendredi samedi dimanche hier demain
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    måndag tisdag onsdag torsdag fredag lördag söndag igår idag imorgon
    januari februari mars april maj juni juli augusti september oktober november december
    monday tuesday wednesday thursday friday saturday sunday yesterday today tomorrow
    january february march april may june july august september october november december
""".split())
ROMANCE_OF = frozenset("di del della dello dei degli delle d de du des".split())  # not "in", "al", Swedish "i"
COMPETITION_WORDS = frozenset(fold(w) for w in "champions campioni mästare".split())  # a cup, not a body
INFINITIVE_ENDINGS = ("are", "ere", "ire", "er", "ir", "re")  # "per denunciare", "pour dénoncer"


def _field_after(tokens: list[_Token], end: int, text: str) -> int | None:
    """Where a body's name ends that goes on with "of" and its field: "Ligue nationale de hockey",
    "Istituto superiore di restauro", "Fédération française de football a annoncé". Asked after an
    adjective only (a noun alone and "of" is as often the story's words: "la Procura del reato"): one lower-case word
    after the "of" and then the sentence, a mark or a function word; None when the name may go on
    ("Federazione italiana di atletica leggera", "Commission nationale de l'informatique").
    """
    if end + 2 >= len(tokens):
        return None
    of, field = tokens[end + 1], tokens[end + 2]
    if (of.folded not in ROMANCE_OF or field.folded in TIME_WORDS or field.folded in COMPETITION_WORDS
            or field.folded.endswith(INFINITIVE_ENDINGS)):
        return None  # "Consiglio comunale di giovedì", "Polizia per denunciare", "Ligue des champions"
    if (of.is_capitalized or field.is_capitalized or not field.text.isalpha() or len(field.text) < 3
            or _is_common(field) or field.folded in _common_words()
            or text[tokens[end].end : of.start] != " " or text[of.end : field.start] != " "):
        return None
    if end + 3 < len(tokens):
        after = tokens[end + 3]
        if not (after.starts_sentence or text[field.end : after.start].strip() or after.folded in _common_words()):
            return None
    return end + 2


def _is_romance_head(token: _Token) -> bool:
    return token.is_capitalized and not token.is_all_caps and not token.starts_sentence \
        and token.folded in ROMANCE_ORG_HEADS


def _is_name_word_alone(token: _Token) -> bool:
    """Whether a capitalized word can name the place of an institution: no common word, no sentence-initial word."""
    return token.is_capitalized and not token.is_all_caps and not _is_common(token) and _is_word(token)


def _adjacent(tokens: list[_Token], i: int) -> bool:
    """Whether token ``i + 1`` follows token ``i`` after one space, in the same sentence."""
    return tokens[i + 1].start - tokens[i].end == 1 and not tokens[i + 1].starts_sentence \
        and tokens[i + 1].text[:1].isalpha()


def _adjectives_after(tokens: list[_Token], i: int, nationality: set[int]) -> int:
    """The last of up to three lower-case adjectives right after token ``i`` (``i`` if none)."""
    end = i
    while end + 1 < len(tokens) and end - i < 3 and _adjacent(tokens, end):
        word = tokens[end + 1]
        if word.is_capitalized or not _is_word(word):
            break
        if not (end + 1 in nationality or (len(word.folded) >= 5 and word.folded.endswith(ADJECTIVE_ENDINGS)
                                           and word.folded not in NOT_NAME_ADJECTIVES
                                           and word.folded not in _common_words())):
            break
        end += 1
    return end


def _trim_run(tokens: list[_Token], first: int, last: int) -> int:
    """Where a capitalized run really starts: past a sentence-initial common word or opener ("Enligt"),
    titles, and then lower case; past a capitalized title inside the run, as English and German write
    it, when two words or more follow ("Justice Minister | Alma Zadić"; not "Premier | League")."""
    while first <= last and (
        (tokens[first].starts_sentence and (_is_common(tokens[first]) or tokens[first].folded in SENTENCE_OPENERS))
        or _is_title(tokens[first].folded)
    ):
        first += 1
    title = next((i for i in range(last - 2, first, -1) if _is_title(tokens[i].folded) and tokens[i].is_capitalized
                  and not tokens[i].is_all_caps and tokens[i].folded not in TITLES_IN_NAMES
                  and all(t.is_capitalized for t in tokens[i + 1 : last + 1])), None)
    if title is not None and not _has_org_word(tokens[first : last + 1]):
        first = title + 1  # not inside a body's name: "Reparto Tecnico Logistico Amministrativo"
    while first <= last and not tokens[first].is_capitalized:
        first += 1  # "Questore di Modena" without its title: "Modena", not "di Modena"
    return first


def _passes_guards(match: _Match, tokens: list[_Token], covered: list[bool], knowledge: KnowledgeBase,
                   proposals: list[Proposal], text: str, lang: str = "") -> bool:
    """False for a one-word proper name that is really part of a longer unknown name.

    Unless the longer name is a spelling variant of the same person
    (*Ergei Shoigu*): then it is that person.
    """
    alias = match.alias
    token = tokens[match.first]
    if len(alias.tokens) > 1:
        return True  # multi-word names are specific
    if all(rule == ANY for rule in alias.case):
        # Adjectives are lower-case words; capitalized after a given name or a title, one is a surname:
        # "Clemente Russo", "Paolo Romano", "Anne Français", "l'avvocato Russo" are people, not Russia,
        # Rome or France ("il presidente russo" is Russia's).
        return not (_surname_after_given_name(tokens, match.first, covered, knowledge)
                    or (alias.entity.kind == "country" and _capitalized_after_a_title(tokens, match.first, text)))
    if token.is_all_caps and len(token.folded) <= 5:
        return True  # an acronym (NATO, USA) is not glued to a first name
    after = tokens[match.last + 1] if match.last + 1 < len(tokens) else None
    if (alias.entity.kind == "org" and token.starts_sentence and token.folded.endswith(PARTICIPLE_ENDINGS)
            and after is not None and not after.is_capitalized and after.folded in PARTICIPLE_FOLLOWERS):
        return False  # "Nato a Verona": a participle that starts a sentence
    before = tokens[match.first - 1] if match.first > 0 else None
    after = tokens[match.last + 1] if match.last + 1 < len(tokens) else None
    for neighbour, index in ((before, match.first - 1), (after, match.last + 1)):
        if neighbour is None or covered[index] or not neighbour.is_capitalized or neighbour.is_all_caps:
            continue
        if neighbour is after and after.starts_sentence:
            continue
        if neighbour is before and before.starts_sentence and (
                _is_common(before) or before.folded in SENTENCE_OPENERS
                or (alias.entity.kind == "country" and before.folded not in knowledge.given_names)):
            continue  # "Il", "Enligt Världsbanken", "Kommer Sverige att …": a sentence's first word
        if _is_title(neighbour.folded):
            continue
        if neighbour is before and _title_of_portfolio(tokens, index, text) is not None:
            continue  # "il ministro degli Esteri Tajani"
        if neighbour is before and lang == "de" and _german_noun(tokens, index):
            continue  # "den finnischen Rivalen Nokia": German writes nouns capitalized
        if neighbour is before and before.starts_sentence and before.folded in ORG_APPOSITION_NOUNS:
            continue  # "Fackförbundet Unionen kallar …", "Tidningen Expressen": the noun, capitalized at a start
        if neighbour is before and before.end < token.start - 1:
            continue  # punctuation between them: not one name
        if neighbour is after and token.end < after.start - 1:
            continue
        pair = (before, token) if neighbour is before else (token, after)
        written = " ".join(t.text for t in pair)
        if _resolve_variant(tuple(t.folded for t in pair), knowledge, proposals, written) == alias.entity.value:
            continue
        return False
    return True


GERMAN_ARTICLES = frozenset("der die das den dem des ein eine einen einem einer eines".split())


def _german_noun(tokens: list[_Token], i: int) -> bool:
    """Whether capitalized token ``i`` is a German noun: an article before it, lower-case words (adjectives)
    at most two between them ("den finnischen Rivalen", "der Konzern"), inside a sentence."""
    for j in range(i - 1, max(-1, i - 4), -1):
        if tokens[j].is_capitalized or tokens[j + 1].starts_sentence:
            return False
        if tokens[j].folded in GERMAN_ARTICLES:
            return True
    return False


def _capitalized_after_a_title(tokens: list[_Token], i: int, text: str) -> bool:
    """Whether capitalized token ``i``, inside a sentence, follows a lower-case title and one space.

    Only the case, for a known adjective written capitalized ("l'avvocato Russo"): `_surname_after_title`
    also asks the word to be no organization's or one the article writes in lower case, which an adjective
    that also has its lower-case use ("il presidente russo") would fail."""
    token = tokens[i]
    return (i > 0 and token.is_capitalized and not token.is_all_caps and not token.starts_sentence
            and not tokens[i - 1].is_capitalized and _is_title(tokens[i - 1].folded)
            and text[tokens[i - 1].end : token.start] == " ")


def _surname_after_given_name(tokens: list[_Token], i: int, covered: list[bool], knowledge: KnowledgeBase) -> bool:
    """Whether token ``i``, capitalized inside a sentence, comes right after a given name, as a surname does."""
    token = tokens[i]
    if i == 0 or not token.is_capitalized or token.is_all_caps or token.starts_sentence:
        return False
    before = tokens[i - 1]
    return (not covered[i - 1] and before.is_capitalized and not before.is_all_caps
            and before.folded in knowledge.given_names and before.folded not in _common_words()
            and not _is_common(before) and token.start - before.end == 1)  # not "Le Hamas"


def _mention(match: _Match, tokens: list[_Token], text: str) -> Mention:
    start, end = tokens[match.first].start, tokens[match.last].end
    entity = match.alias.entity
    return Mention(entity.kind, entity.value, text[start:end], start, end)


def _is_title(folded: str) -> bool:
    return folded in PERSON_TITLES or folded.endswith(TITLE_SUFFIXES)


def _is_age(token: _Token) -> bool:
    """An age written as one word, which says a person follows or is being described ("il 26enne", "45-årige")."""
    return _AGE_BEFORE.fullmatch(token.folded) is not None


@functools.cache
def _common_words() -> frozenset[str]:
    return frozenset(fold(w) for lang in ("it", "fr", "sv", "en", "de", "es") for w in stop_words(lang))


@functools.lru_cache(maxsize=64)
def _stop_words_of(lang: str) -> frozenset[str]:
    """One language's stop words, folded (read once per process, not once per article)."""
    return frozenset(fold(w) for w in stop_words(lang))


@functools.lru_cache(maxsize=64)
def _common_for(lang: str, given_names: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The function words that are no name's in an article of ``lang``: at a sentence's start, and inside one.

    At a sentence's start every language's stop words count (news quote
    English, French in Italian…), but a given name that is a function word of
    another language only is a name: *Anders* (German "otherwise") in "Anders
    Borg sa", *Hans* (Swedish "his") in an Italian article; where the
    article's language has it, it is the word ("Hans bil stod där"). Inside a
    sentence a capitalized word is a function word only in the article's
    language or in English, and a given name never is: "… och Hans Blix",
    "Lily Allen" (German "all") in French.
    """
    every = _common_words()
    own = _stop_words_of(lang) if lang else frozenset()
    if not own:  # a language with no stop words of ours: every language's, at a sentence's start too
        return every, every - given_names
    return every - (given_names - own), (own | _english_common_words()) - given_names


@functools.cache
def _english_common_words() -> frozenset[str]:
    return frozenset(fold(w) for w in stop_words("en"))


def _is_common(token: _Token) -> bool:
    return token.is_common or token.folded in PERSON_TITLES


def _variants_and_discoveries(tokens, covered, knowledge: KnowledgeBase, text: str, proposals: list[Proposal],
                              lang: str = ""):
    """Mentions found outside the known aliases: spelling variants of known people, then new names."""
    lowercase_words = {t.folded for t in tokens if not t.is_capitalized}
    for first, last in _runs_of_names(tokens, covered, knowledge.given_names):
        # A run starting a sentence with a common word ("Il", "Quella", "Ufficialmente") sheds it,
        # and so does a sentence-initial word before a given name ("Ieri Marco Bianchi", "Selon Pierre Martin").
        while first <= last and tokens[first].starts_sentence and tokens[first].folded in lowercase_words:
            first += 1
        if first < last and tokens[first].starts_sentence and tokens[first].folded in SENTENCE_OPENERS:
            first += 1  # "Secondo Martial Jorel, direttore …", "Enligt Vattenfall"
        if (first + 2 <= last and tokens[first].starts_sentence and tokens[first].folded not in knowledge.given_names
                and tokens[first + 1].folded in knowledge.given_names):
            first += 1
        first = _trim_run(tokens, first, last)
        while last > first and tokens[last].folded in NAME_PARTICLES | ARTICLES:
            last -= 1  # "al quadro di Claude Monet Le point d'Argenteuil": a title begins with "Le"
        if first < last and tokens[first + 1].is_capitalized and _title_of_portfolio(tokens, first, text) is not None:
            first += 1  # "il ministro dell'Istruzione | Bussetti"
        first = _given_name_start(tokens, first, last, knowledge, lowercase_words)
        run = tokens[first : last + 1]
        if run and _team_of_a_place(run, tokens, first, knowledge, lowercase_words, lang in GENITIVE_S):
            written = text[run[0].start : run[-1].end]
            yield Mention("org", _clean_name(written), written, run[0].start, run[-1].end, is_new=True)
            continue
        skip = _place_length(run, knowledge)
        if not run or skip == len(run):
            continue  # "Reggio Emilia", "Upplands Väsby": a town, not a person
        # A place before a name is what a title is of: "il sindaco di Leopoli Andrij Sadovyj", or where
        # the news happened: "è morto a Bergamo Ettore Vanzulli" (then a given name follows). Not the
        # first part of a hyphenated given name: "Pierre-René Lemas", Pierre being a town too.
        glued = skip and skip < len(run) and text[run[skip - 1].end : run[skip].start] in HYPHENS
        if skip and not glued and first > 0 and (tokens[first - 1].folded in OF_WORDS
                                                 or (len(run) - skip >= 2 and run[skip].folded in knowledge.given_names)):
            first += skip
            run = tokens[first : last + 1]
        run = _without_hometown(run, knowledge)
        start, end = run[0].start, run[-1].end
        written = text[start:end]
        resolved = _resolve_variant(tuple(t.folded for t in run), knowledge, proposals, written)
        if resolved:
            yield Mention("person", resolved, written, start, end)
            continue
        kind = _discovered_kind(run, tokens, first, knowledge, lowercase_words, text)
        if kind == "person" and _names_a_place(text, start, end):
            continue
        if kind == "org":
            yield Mention(kind, _clean_name(written), written, start, end, is_new=True)
        elif kind == "person":  # "SHOIGU"-style capitals become "Shoigu" in the value
            yield Mention(kind, _discovered_name(run, text), written, start, end, is_new=True)


def _without_hometown(run: list[_Token], knowledge: KnowledgeBase) -> list[_Token]:
    """A person's name without the "of" and town after it: "Claudio Corradi di Cavriago" is Claudio Corradi,
    from there. Only after a given name and a surname, so that a body's name keeps its town ("Università di
    Bologna"); a town without "of" may be a surname ("Samuel L. Jackson")."""
    if len(run) < 4 or run[0].folded not in knowledge.given_names:
        return run
    for i in range(2, len(run) - 1):
        tail = run[i + 1 :]
        if (run[i].folded in OF_WORDS and not run[i].is_capitalized and _place_length(tail, knowledge) == len(tail)
                and not _has_org_word(run[:i])):
            return run[:i]
    return run


def _given_name_start(tokens: list[_Token], first: int, last: int, knowledge: KnowledgeBase,
                      lowercase_words: set[str]) -> int:
    """Where a person's name starts in a run that begins with what an office is of.

    "il ministro dello Sport Giovanni Spadafora", "ministro dell'Informazione
    Ernesto Villegas": the portfolio is capitalized and glued to the name. The
    name starts at the first given name when a title comes right before the
    run, or when every word before that given name is no name word (a common,
    organization or place word, or one the article writes in lower case).
    """
    if first > last or tokens[first].folded in knowledge.given_names:
        return first
    given = next((i for i in range(first + 1, last) if tokens[i].folded in knowledge.given_names
                  and tokens[i].is_capitalized and tokens[i].folded not in ORG_CONNECTORS
                  and not _after_hyphen(tokens, i)), None)
    if given is None:
        return first
    before = tokens[first:given]
    if any(_is_title(t.folded) for t in tokens[max(0, first - 3) : first]):
        return given
    if tokens[first].starts_sentence and not tokens[given - 1].is_capitalized and tokens[given - 1].folded in OF_WORDS:
        return given  # "Parliamo di Antonino Barone": a sentence's first word, "of", then the name
    if any(t.folded in ORG_WORDS for t in before):
        # "Fondation Louis-Bonduelle", "Associazione Antonio Parenti" are named after someone, but where the
        # body's name ends with its town the person follows: "la Questura di Modena Mario Leggiero".
        ends_with_town = (len(before) >= 2 and before[-2].folded in OF_WORDS
                          and (before[-1].folded,) in knowledge.places)
        return given if ends_with_town else first
    if not any(_is_name_word(t, knowledge, lowercase_words) for t in before if t.folded not in ORG_CONNECTORS):
        return given
    return first


def _after_hyphen(tokens: list[_Token], i: int) -> bool:
    """Whether token ``i`` is a later part of a hyphenated word: the "Paul" of "Saint-Paul-de-Vence"."""
    return i > 0 and tokens[i].in_compound and tokens[i - 1].in_compound and tokens[i].start - tokens[i - 1].end == 1


def _discovered_name(run: list[_Token], text: str) -> str:
    """A discovered person's facet value: "SHOIGU" as "Shoigu", and the marks between the words kept
    ("Samuel L. Jackson", "Laura D'Arcangelo", "Anna-Caren"), any other spacing one space."""
    parts = []
    for token, following in zip(run, run[1:] + [None]):
        word = token.text
        parts.append(word.title() if token.is_all_caps and len(word) > 1 and not _ROMAN.match(word) else word)
        if following is not None:
            gap = text[token.end : following.start]
            parts.append(" " if gap.isspace() else gap)
    return "".join(parts)


def _place_length(run: list[_Token], knowledge: KnowledgeBase) -> int:
    """How many tokens at the start of ``run`` name a known place (0: none); the longest name wins."""
    for length in range(min(len(run), 5), 0, -1):
        if tuple(t.folded for t in run[:length]) in knowledge.places:
            return length
    return 0


def _runs_of_names(tokens: list[_Token], covered: list[bool], given_names: frozenset[str] = frozenset()):
    """Capitalized runs, split at a conjunction unless the run names an organization.

    "Marco Bianchi e Laura Neri" is two people; "Ministero dell'Economia e delle Finanze" one body.
    """
    for first, last in _capitalized_runs(tokens, covered):
        if _has_org_word(tokens[first : last + 1]):
            yield from _split_organizations(tokens, first, last, given_names)
            continue
        start = first
        for i in range(first + 1, last):
            if tokens[i].folded in CONJUNCTIONS or _of_before_a_full_name(tokens, i, last, given_names):
                yield start, i - 1
                start = i + 1
        yield start, last


def _of_before_a_full_name(tokens: list[_Token], i: int, last: int, given_names: frozenset[str]) -> bool:
    """Whether a lower-case "of" at ``i`` ends one name before a person's full name: "Il trionfo di Cesare |
    di | Andrea Frediani". A particle inside a name is followed by a surname, not by a given name and more
    ("Franco Di Mare", "Charles de Gaulle", "Ursula von der Leyen")."""
    return (tokens[i].folded in OF_WORDS and not tokens[i].is_capitalized and i + 2 <= last
            and tokens[i + 1].folded in given_names and tokens[i + 2].is_capitalized)


def _split_organizations(tokens: list[_Token], first: int, last: int, given_names: frozenset[str] = frozenset()):
    """An organization's run, split where one name ends and another begins.

    At a conjunction when both sides name an organization of their own, or
    when one word stands before it: "Volvo AB och Helsingborgs IF", "Comune e
    Questore" are two; "Ministero dell'Economia e Finanze" is one. After a
    company marker followed by a lower-case word: "Sweden Recycling AB i
    Urshult" is the company in a town. At the "of" after a person's name (`_person_of`): "Enrico Cieri
    della Procura di Bologna" is the prosecutor and his office.
    """
    of = _person_of(tokens, first, last, given_names)
    if of is not None:
        yield first, of - 1
        yield from _split_organizations(tokens, of + 1, last, given_names)
        return
    for i in range(first + 1, last):
        ends_name = tokens[i].folded in CONJUNCTIONS and (
            i - 1 == first or (_has_org_word(tokens[first:i]) and _has_org_word(tokens[i + 1 : last + 1])))
        after_marker = (i - 1 > first and tokens[i - 1].is_all_caps and tokens[i - 1].folded in ORG_MARKERS
                        and not tokens[i].is_capitalized)
        if ends_name or after_marker:
            yield first, i - 1
            yield from _split_organizations(tokens, i + 1, last, given_names)
            return
    yield first, last


def _person_of(tokens: list[_Token], first: int, last: int, given_names: frozenset[str]) -> int | None:
    """Where a run that starts with a person's name and goes on with an office says "of": after a given name
    and a surname ("Enrico Cieri della Procura di Bologna"), or after a surname a title names ("il dott.
    Abbass del Ministero della Salute"); None if the run is not so."""
    if tokens[first].folded in given_names:
        shortest = 2
    elif first > 0 and _is_title(tokens[first - 1].folded):
        shortest = 1
    else:
        return None
    for i in range(first + shortest, last):
        if (tokens[i].folded in OF_WORDS and not _has_org_word(tokens[first:i])
                and _has_org_word(tokens[i + 1 : last + 1])):
            return i
    return None


def _capitalized_runs(tokens: list[_Token], covered: list[bool]):
    """(first, last) of each maximal run of capitalized tokens (org connectors allowed inside)."""
    # Most tokens are lower case: pick the candidates in one comprehension, not a Python loop over every token.
    candidates = [i for i, token in enumerate(tokens) if token.is_capitalized and not covered[i]]
    free = 0  # the first token not inside a run already yielded
    for i in candidates:
        if i < free or not tokens[i].text[:1].isalpha():
            continue
        j = i
        while j + 1 < len(tokens) and j - i < MAX_NAME_TOKENS:
            nxt = tokens[j + 1]
            # punctuation or more than a space between them, but for a middle initial's full stop
            separated = nxt.start - tokens[j].end > 1 and not (nxt.after_initial or nxt.after_particle)
            if covered[j + 1] or separated or nxt.starts_sentence:
                break
            if nxt.is_capitalized and nxt.text[:1].isalpha():
                j += 1
            elif nxt.folded in ORG_CONNECTORS and nxt.text not in JOINING_NO_NAME and j + 2 < len(tokens) \
                    and tokens[j + 2].is_capitalized and not covered[j + 2]:
                j += 2
            elif (nxt.text in NAME_PARTICLES and j + 3 < len(tokens) and tokens[j + 2].text in NAME_PARTICLES
                  and tokens[j + 3].is_capitalized and not covered[j + 3] and not covered[j + 2]
                  and tokens[j + 3].start - tokens[j + 2].end == 1):
                j += 3  # two lower-case particles: "Óscar de la Hoya", "Rafael van der Vaart"
            else:
                break
        yield i, j
        free = j + 1


def _resolve_variant(name: tuple[str, ...], knowledge: KnowledgeBase, proposals: list[Proposal], written: str):
    """The known person a misspelt name stands for, when one token differs by a single edit."""
    if not 2 <= len(name) <= 4:
        return None
    best = None
    for i, seen in enumerate(name):
        for value, known in _names_but_one(knowledge).get((i, name[:i] + name[i + 1 :]), ()):
            if known == seen:
                continue
            distance = edit_distance(seen, known, limit=2)
            if distance == 1 and min(len(seen), len(known)) >= 5:
                best = value
            elif distance == 2 and min(len(seen), len(known)) >= 6:
                proposals.append(Proposal(written, value, 2))
    return best


@functools.lru_cache(maxsize=4)
def _names_but_one(knowledge: KnowledgeBase) -> dict:
    """Known people's names keyed by all their tokens but one: (index, the others) → [(value, that token)]."""
    index: dict[tuple, list] = {}
    for value, names in knowledge.person_names.items():
        for name in names:
            for i, token in enumerate(name):
                index.setdefault((i, name[:i] + name[i + 1 :]), []).append((value, token))
    return index


def _discovered_kind(run, tokens, first, knowledge: KnowledgeBase, lowercase_words, text: str) -> str | None:
    folded = [t.folded for t in run]
    if len(run) >= 2 and _has_org_word(run):
        return "org"
    if len(run) == 1 and _swedish_institution(run[0].folded):
        # "Skolmyndigheten", "Skolmyndighetens"; "Myndigheten" alone is "the agency", a common noun, and so is
        # a word the article also writes in lower case ("Regelverket …", "the regulations", at a sentence start).
        # So is a noun that introduces a body's name ("Fackförbundet Unionen": "the union").
        return None if (run[0].folded in lowercase_words or run[0].folded[:-1] in lowercase_words
                        or run[0].folded in ORG_APPOSITION_NOUNS) else "org"
    if _after_org_noun(run, tokens, first, knowledge, lowercase_words, text):
        return "org"
    if len(run) == 1:
        if _surname_after_title(run[0], tokens, first, knowledge, lowercase_words, text):
            return "person"
        if _given_name_after_kin(run[0], tokens, first, knowledge, text):
            return "person"
        word = run[0]
        if len(word.folded) < 3 or word.is_all_caps or not _is_word(word) or not _is_name_word(word, knowledge,
                                                                                              lowercase_words):
            return None
        if _AGE_OR_LIFE_AFTER.match(text, word.end):
            return "person"  # "Bertoni, 45 anni, è stato arrestato"
        if (_life_event_after(tokens, first, text) and word.folded not in knowledge.given_names
                and not (first and tokens[first - 1].folded in NOT_BEFORE_A_SUBJECT)
                and (not word.starts_sentence or any(
                    t.folded == word.folded and t.is_capitalized and not t.starts_sentence for t in tokens))):
            # "Provenzali è morto"; at a sentence start only a word written so inside one too; not where
            # something happened ("una donna residente a Castelfranco è stata arrestata")
            return "person"
        return None
    if not 2 <= len(run) <= 4 or all(len(t.text) == 1 for t in run):
        return None  # "A. M.": initials alone name no one we could show
    if any(w in ORG_CONNECTORS and w not in NAME_PARTICLES for w in folded):
        return None
    initials = {i for i in range(len(run) - 1) if run[i + 1].after_initial}  # the "L" of "Samuel L. Jackson"
    # After a given name, a word the article also writes in lower case is a surname all the same ("Mattia
    # Destro" in an article about a "piede destro"), and so is a function word of four letters or more
    # ("Jon Fosse", Italian "were"; "Lucio Dalla"), unless an article makes the pair a thing's name
    # ("del Park Hotel", "sulla Romana Sud", "l'officina Ruby Moto").
    surname = 1 if (len(run) == 2 and folded[0] in knowledge.given_names and not run[0].starts_sentence
                    and len(folded[1]) >= 3 and not _after_a_determiner(tokens, first, text)) else None
    if any((_is_common(t) and not (i == surname and len(t.folded) >= 4 and t.folded not in PERSON_TITLES))
           or (t.folded in lowercase_words and i != surname) for i, t in enumerate(run)
           if t.folded not in NAME_PARTICLES and i not in initials):
        return None
    if not all(_is_word(t) for t in run):
        return None
    if folded[0] in ARTICLES:
        return None  # "Le Monde", "La Stampa", "Il Giornale": a masthead, not a person
    if folded[-1] in PLACE_WORDS_AFTER:
        return None  # "Gustav Adolfs Torg": a square
    if folded[0] in knowledge.given_names:
        return "person"
    if (run[1].after_initial and len(run[0].text) == 1 and not run[-1].is_all_caps
            and _is_name_word(run[-1], knowledge, lowercase_words)
            and not (len(run) == 2 and folded[1] in knowledge.given_names)):
        # "D. W. Griffith", "F. Scott Fitzgerald": initials, then the name; but a saint's given name after
        # its "S." is a church or a hospital ("l'ospedale S. Anna")
        return "person"
    if (folded[0],) in knowledge.places and run[0].in_compound:
        return None  # "chef för lokalpolisområdet Uppsala-Knivsta": two towns, hyphenated
    # A title shortly before the name makes a person ("il ministro degli Esteri Carlo Rossi"); a name
    # right after "of" is what the title is of ("il presidente della Croce Rossa", "... i New York").
    window = tokens[max(0, first - 4) : first]
    before = [t.folded for t in window]
    while before and before[-1] in ARTICLES - OF_WORDS:  # "de la Croix-Rouge" ("i" is also Swedish "in")
        before.pop()
    if before and before[-1] in OF_WORDS or (window and ELIDED_OF.search(text, window[-1].end, run[0].start)):
        return None  # the words leave out an elided "of": "il fondatore dell'Udc di Carpi"
    if _title_before(window) or (window and _is_age(window[-1]) and run[0].start - window[-1].end == 1):
        return "person"  # "il ministro degli Esteri Carlo Rossi", "il 26enne Marco Bianchi"
    if _described_as_person(run, knowledge) and (
            _said_of_a_person(tokens, first + len(run) - 1, text, verbs=not run[0].starts_sentence)
            or _said_before(tokens, first, text)):
        return "person"
    return None


def _after_a_determiner(tokens: list[_Token], first: int, text: str) -> bool:
    """Whether an article, a possessive or an elided word comes right before token ``first``."""
    return first > 0 and (tokens[first - 1].folded in DETERMINERS or text[tokens[first].start - 1] in "'’")


def _after_org_noun(run: list[_Token], tokens: list[_Token], first: int, knowledge: KnowledgeBase,
                    lowercase_words: set[str], text: str) -> bool:
    """Whether an organization's noun, in lower case, comes right before the name ("l'azienda Perfetti").

    Not a person's name ("il gruppo di Marco" never gets here; "la società Mario Rossi" is a person's
    name before it is a firm's), a place, or a word the article also writes in lower case.
    """
    if first == 0 or len(run) > 4:
        return False
    before = tokens[first - 1]
    if before.is_capitalized or before.folded not in ORG_APPOSITION_NOUNS or text[before.end : run[0].start] != " ":
        return False
    if run[0].folded in knowledge.given_names or (run[0].folded,) in knowledge.places or len(run[0].text) < 2:
        return False  # nor initials: "la ditta R. L. impianti"
    if len(run) == 1 and run[0].is_all_caps:
        return False  # an acronym: `_acronyms` reads it, with its guards against codes and numerals
    if text[run[-1].end : run[-1].end + 1] in HYPHENS:
        return False  # a compound cut short: "myndigheten Tand- och läkemedelsverket"
    return not any(t.folded in lowercase_words or t.is_common for t in run) and all(_is_word(t) for t in run)


def _team_of_a_place(run: list[_Token], tokens: list[_Token], first: int, knowledge: KnowledgeBase,
                     lowercase_words: set[str], genitive_s: bool) -> bool:
    """Whether a run names a sports team by its town and its nickname.

    The town first and a plural nickname after it ("i Boston Celtics", "the Toronto Maple Leafs"), or,
    as French writes them, the nickname after a plural article, then "de" and the town ("les Canucks
    de Vancouver", "contre le Lightning de Tampa Bay" is missed: "le" could be anything's). The
    nickname's words are no common, place or organization word, given name or word the article
    writes in lower case.
    """
    def nickname(words: list[_Token]) -> bool:
        return bool(words) and len(words) <= 2 and all(
            len(t.folded) >= 3 and not t.is_all_caps and t.folded not in knowledge.given_names
            and _is_name_word(t, knowledge, lowercase_words) for t in words)

    if len(run) < 2:
        return False
    # A plural, not a word ending in "ss" ("the Brenner Pass", a mountain pass); Swedish "Avesta Polarits"
    # is a genitive, no team.
    if run[-1].folded.endswith("s") and not run[-1].folded.endswith("ss") and not genitive_s:
        town = _place_length(run, knowledge)
        if 0 < town < len(run) and nickname(run[town:]):
            return True
    before = tokens[first - 1].folded if first else ""
    if before not in ("les", "des", "aux"):
        return False
    of = next((i for i, t in enumerate(run) if t.folded in ("de", "du", "d") or t.after_particle), None)
    if of is None or not 0 < of < len(run) - int(not run[of].after_particle) or not nickname(run[:of]):
        return False
    town = run[of:] if run[of].after_particle else run[of + 1 :]  # "d'Ottawa": the words leave out the "d'"
    while len(town) > 1 and town[0].folded in ARTICLES:
        town = town[1:]  # "les Panthers de la Floride", "les Pacers de l'Indiana"
    return _place_length(town, knowledge) == len(town)


def _ends_like_a_body(folded: str) -> bool:
    """Whether a word ends as Swedish institutions do ("-verket", "-rådet"), not as an area or a minister."""
    return folded.endswith(ORG_SUFFIXES) and not folded.endswith(NOT_ORG_ENDINGS)


def _swedish_institution(folded: str) -> bool:
    """A one-word Swedish institution's name, or its genitive: "Skolverket", "Skolverkets"; more than
    the ending alone ("Verket", "the agency", is none)."""
    word = folded[:-1] if folded.endswith("s") else folded
    return _ends_like_a_body(word) and any(word.endswith(suffix) and len(word) >= len(suffix) + 3
                                           for suffix in ORG_SUFFIXES)


def _described_as_person(run: list[_Token], knowledge: KnowledgeBase) -> bool:
    """Whether a run with no given name and no title may still be named a person by what follows it.

    Not a body of a place ("la Dda di Bologna, pm Marco Forte"), an acronym, or a first word ending
    in -s, a Swedish genitive above all ("Kronans Droghandel säger", "Jönköpings-Posten"): the given
    names that end so (Nicolas, Jonas, Carlos) are known and never reach this rule.
    """
    return not (run[0].folded.endswith("s")
                or any(t.is_all_caps or (t.folded,) in knowledge.places for t in run))


# An age or a life's years right after a name, then a mark: people's, not "Modena, 120 anni fa".
_AGE_OR_LIFE_AFTER = re.compile(
    r"\s*(?:,\s*(?:di\s+|âgée?\s+de\s+|aged\s+)?(?:\d{1,2}|10\d)\s+(?:anni|ans|år|years(?:\s+old)?)\s*[,.;:)]"
    r"|\(\s*(?:\d{1,2}|10\d)\s+(?:anni|ans|år)\s*\)"
    r"|\(\s*(?:\d{1,2}\s+\w+\s+)?\d{3,4}\s*[-–—]\s*(?:\d{1,2}\s+\w+\s+)?\d{3,4}\s*\))")
# Ages that stand before a name as a title does: "il 26enne Mario Rossi", "il ventiseienne", "45-årige".
_AGE_BEFORE = re.compile(r"\d+enne|(?:[a-z]+(?:ant|ent)|dic|undic|dodic|tredic|quattordic|quindic|sedic)\w*enne|[aå]rig[ae]?",
                         re.IGNORECASE)


def _said_of_a_person(tokens: list[_Token], last: int, text: str, verbs: bool = True) -> bool:
    """Whether the words right after a name say that it is a person's.

    An age or the years of a life ("Amarilli Caprio, 26 anni", "(1919-2006)"), an
    apposition with a title, a profession or a noun for a person ("August Wilson, drammaturgo
    statunitense, è morto", "Martial Jorel, directeur de la sûreté", "Anna
    Berg, vd för …"), at most one other word before it ("Awad al-Bandar, ex
    giudice capo"), or a verb only people are the subject of ("Orsola Fallara
    è morta", "… a déclaré", "… säger"). Companies and teams say things too
    ("Fiat ha dichiarato"), but their names hold an organization word or are
    known, and are taken before this rule is asked. ``verbs=False`` asks for the apposition only: for
    a name that starts a sentence, whose first word may be an adverb ("Poi Kravtsivskyj ha aggiunto").
    """
    if _AGE_OR_LIFE_AFTER.match(text, tokens[last].end):
        return True  # "Amarilli Caprio, 26 anni;", "Jean Dupont, 45 ans,", "Matta El Meskin (1919-2006)"
    after = tokens[last + 1 : last + 4]
    gaps = [text[a.end : b.start] for a, b in zip([tokens[last]] + after, after)]
    if not after or after[0].is_capitalized or gaps[0].strip() not in ("", ","):
        return False
    verb = (after[0].folded,) + tuple(t.folded for t, gap in zip(after[1:2], gaps[1:2]) if gap.isspace())
    if verbs and (verb[:1] in PERSON_VERBS or verb in PERSON_VERBS):
        return True  # "Orsola Fallara, è deceduta" too
    if gaps[0].strip() != ",":
        return False
    for number, (token, gap) in enumerate(zip(after, gaps)):
        if token.is_capitalized or (number and not gap.isspace()):
            return False
        if token.folded not in DETERMINERS:  # the first word after the article: ", guidata dal pm …" is not one
            return (_is_title(token.folded) or token.folded in PROFESSIONS or token.folded in PERSON_NOUNS
                    or _is_age(token))
    return False


# What happens to people only, so that one unknown word before it is a person's name ("Provenzali è
# morto"); companies say things too ("Trenord ha dichiarato"), and are not dead or arrested. Not "was
# born": projects and movements are too ("all'ex ceramica Edera è nato sui social").
LIFE_EVENTS = frozenset(tuple(fold(w) for w in phrase.split()) for phrase in """
    è morto; è morta; è deceduto; è deceduta; è stato arrestato; è stata arrestata;
    è stato ucciso; è stata uccisa; è stato eletto; è stata eletta;
    est mort; est morte; est décédé; est décédée; a été arrêté; a été arrêtée; a été tué;
    a été tuée; a été élu; a été élue;
    dog; avled; greps; mördades; valdes;
    died; was arrested; was killed; was elected
""".split(";"))


# Words after which a name is no verb's subject: where, of what, with whom ("residente a Castelfranco").
NOT_BEFORE_A_SUBJECT = OF_WORDS | DETERMINERS | frozenset(fold(w) for w in """
    a ad in da con su per tra fra presso verso à en dans chez vers avec pour par sur i på från till med hos
    at from to with by
""".split())


def _life_event_after(tokens: list[_Token], i: int, text: str) -> bool:
    """Whether the words right after token ``i`` tell what happens to people only (`LIFE_EVENTS`)."""
    after = tokens[i + 1 : i + 4]
    if not after or text[tokens[i].end : after[0].start] != " ":
        return False
    words = [after[0].folded]
    for a, b in zip(after, after[1:]):
        if text[a.end : b.start] != " ":
            break
        words.append(b.folded)
    return any(tuple(words[:n]) in LIFE_EVENTS for n in (1, 2, 3))


def _said_before(tokens: list[_Token], first: int, text: str) -> bool:
    """Whether a verb only people are the subject of comes right before the name, as Romance and Swedish
    news put it: "ha dichiarato Mussa Ibrahim", "a déclaré Jean Dupont", "säger Anders Stenholm"."""
    before = tokens[max(0, first - 2) : first]
    if not before or before[-1].is_capitalized or text[before[-1].end : tokens[first].start] != " ":
        return False
    two = tuple(t.folded for t in before) if len(before) == 2 and text[before[0].end : before[1].start] == " " else ()
    return (before[-1].folded,) in PERSON_VERBS or two in PERSON_VERBS


def _title_before(window: list[_Token]) -> bool:
    """Whether a title in the words before a name is that name's: "il ministro degli Esteri", "le président russe".

    Between them may come articles, "of" words, capitalized words and one
    other word (an adjective: "russe"), not a function word or two other
    words: in "premier match contre les Panthers" the title-like word is the
    French "first", and in "il premier ha detto che" the name is someone else's.
    """
    for i, token in enumerate(window):
        if _is_title(token.folded):
            other = [t for t in window[i + 1 :] if not t.is_capitalized and t.folded not in ARTICLES
                     and t.folded not in OF_WORDS and t.folded not in DETERMINERS]
            if len(other) <= 1 and not any(t.folded in _common_words() for t in other):
                return True
    return False


def _given_name_after_kin(token: _Token, tokens: list[_Token], first: int, knowledge: KnowledgeBase,
                          text: str) -> bool:
    """Whether a known given name alone, inside a sentence, follows a kin word.

    "a mia moglie Lucia e a mia figlia Rosalinda", "alla moglie Simone": the article names a family
    by given name, and the reader looks for them so. Not before another capitalized word,
    which makes a longer run ("il figlio Marco Rossi" is read whole).
    """
    return (first > 0 and not token.starts_sentence and token.folded in knowledge.given_names
            and tokens[first - 1].folded in KIN_BEFORE_A_GIVEN_NAME and not tokens[first - 1].is_capitalized
            and text[tokens[first - 1].end : token.start] == " ")


def _surname_after_title(token: _Token, tokens: list[_Token], first: int, knowledge: KnowledgeBase,
                         lowercase_words: set[str], text: str) -> bool:
    """Whether a lone capitalized word is a person named by surname after their title.

    "il ministro Bussetti", "le maire Dupontel", "tränaren Jansson": the title
    right before it (an adjective may come between: "il ministro leghista
    Centinaio", not a verb's particle: "lägger statsrådet ned
    Äldreutredningen"), the word no given name, common, place or organization
    word, nor one the article writes in lower case, and not in capitals.
    """
    if first == 0 or token.starts_sentence or token.is_all_caps or len(token.folded) < 3 or not _is_word(token):
        return False
    if token.folded in knowledge.given_names or not _is_name_word(token, knowledge, lowercase_words):
        return False
    before = tokens[first - 1]
    gap = text[before.end : token.start]
    if gap != " " and not (gap == ". " and _is_title(before.folded)):  # "il dott. Abbass" (`_tokens` read "dottore")
        return False
    title = first - 1 if _is_title(before.folded) or _is_age(before) else _title_of_portfolio(tokens, first - 1, text)
    if (title is None and first > 1 and not before.is_capitalized and before.folded.endswith(ADJECTIVE_ENDINGS)
            and before.folded not in _common_words() and _is_title(tokens[first - 2].folded)
            and before.start - tokens[first - 2].end == 1):
        title = first - 2  # "il ministro leghista Centinaio", "le maire socialiste Dupontel"
    # Not a street or a church named after a queen or a saint: "via Regina Pacis".
    return title is not None and not (title > 0 and tokens[title - 1].folded in PLACE_WORDS_BEFORE)


def _title_of_portfolio(tokens: list[_Token], i: int, text: str) -> int | None:
    """The title whose portfolio is token ``i``, if it is one: "il ministro dell'Istruzione | Bussetti",
    "le ministre de l'Intérieur | Darmanin", "il presidente della Regione | Bonaccini"."""
    if i < 1 or tokens[i].folded not in PORTFOLIOS or not tokens[i].is_capitalized:
        return None
    j = i - 1
    while j > 0 and tokens[j].folded in ARTICLES and tokens[j].folded not in OF_WORDS:
        j -= 1  # "de la Justice"
    if tokens[j].folded in OF_WORDS:
        j -= 1
    elif not ELIDED_OF.search(text, tokens[j].end, tokens[i].start) and not ELIDED_OF.search(
            text, tokens[j].end, tokens[j + 1].start):
        return None
    return j if j >= 0 and _is_title(tokens[j].folded) else None


def _is_word(token: _Token) -> bool:
    """Letters only, with hyphens and apostrophes inside (*Jean-Marie*, *D'Alema*): what a name is made of."""
    return token.text.replace("-", "").replace("'", "").isalpha()


def _names_a_place(text: str, start: int, end: int) -> bool:
    """Whether the name at ``start:end`` is part of a place's name: "via Carlo Sigonio", "Olof Palmes gata"."""
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before and (before.group(2) or fold(before.group(1)) in PLACE_WORDS_BEFORE
                   or (before.group(1).islower() and before.group(1) in LOWER_CASE_PLACE_WORDS)):
        return True
    after = _WORD_AFTER.match(text[end : end + 40])
    return bool(after) and text[end - 1 : end] == "s" and fold(after.group(1)) in PLACE_WORDS_AFTER


def _clean_name(name: str) -> str:
    return " ".join(name.split())


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` once it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
