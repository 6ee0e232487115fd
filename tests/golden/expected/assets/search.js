// Search with the index the build wrote to search/ (generator/render/search_index.py says how
// it is laid out, search_terms.py how text is cut into terms; this file cuts queries the same
// way, with the stemmer of stemmer.js). A paper must contain every query term: the term itself
// (its stem); for a word of three letters or more that is not in the index as typed, the words
// it begins ("disentangl" finds "disentangled"), counted half; and, when a term finds few
// papers, the words one or two letters away (a typo), listed after the papers that have every
// word as typed. Words in quotes must stand together ("world model"), and query words that
// stand together in a paper rank it higher. Results come from the index alone: ten per page,
// each with its title, authors, date, themes (from data/search-themes.json, which the theme
// filter reads too) and the sentence that states the paper's contribution, the words that
// matched marked. Results are built with DOM methods and textContent only: nothing fetched is
// inserted as HTML.
(function () {
  "use strict";
  const form = document.querySelector(".search-page-form");
  const input = document.getElementById("q");
  const select = document.getElementById("theme-filter");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const pager = document.getElementById("search-pages");
  const base = new URL(".", document.baseURI);  // the site root: search.html lives there
  const FORMAT = 4;  // of search/shards.json and the shard files (generator/publish/search.py)
  const PER_PAGE = 10;
  const PREFIX_WEIGHT = 0.5;  // a longer word a term begins counts half as much as the term
  const TYPO_WEIGHT = 0.4;  // a word spelled nearly like the term
  const FEW = 5;  // a term found in fewer papers than this also looks for spellings near it
  const MIN_PREFIX = 3;  // shorter terms ("rl") match whole words only
  const MAX_FILES = 3;  // term files read per term and shard
  const NEAR_BONUS = 0.5;  // two query words side by side add this share of their weights

  // --- Terms: the same steps as words() and terms() in generator/render/search_terms.py. ---
  const WORD = /[\p{L}\p{N}]+(?:[-\u2010][\p{L}\p{N}]+)*/gu;
  const stem = window.digestStem || ((w) => w);
  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "");
  }
  function partsOf(word) {
    // A word's lower-case parts: split at hyphens and where camelCase puts a capital.
    const parts = [];
    for (const piece of word.split(/[-\u2010]/)) {
      for (const part of piece.split(/(?<=[a-z])(?=[A-Z])/)) {
        if (part) { parts.push(part.toLowerCase()); }
      }
    }
    return parts;
  }
  function words(text) {
    // [whole, part, part, ...] for a compound word, [word] otherwise.
    return (fold(text).match(WORD) || []).map((word) => {
      const parts = partsOf(word);
      return parts.length > 1 ? [parts.join("")].concat(parts) : parts;
    });
  }
  function terms(text, stemmed) {
    const flat = words(text).flat();
    return stemmed ? flat.map(stem) : flat;
  }
  window.digestSearchTerms = { words: words, terms: terms };  // for the tests

  function parseQuery(query, stemmed) {
    // Quoted runs are phrases; every other word is one term (a compound by its whole).
    const phrases = [];
    const loose = [];
    const rest = query.replace(/["“”]([^"“”]*)["“”]?/g, (match, inner) => {
      const run = words(inner).flatMap((w) => (w.length > 1 ? w.slice(1) : w));
      if (run.length > 0) { phrases.push(run.map((w) => (stemmed ? stem(w) : w))); }
      return " ";
    });
    for (const word of words(rest)) {
      loose.push({ raw: word[0], term: stemmed ? stem(word[0]) : word[0], single: word.length === 1 });
    }
    const needed = new Map();  // term -> the word typed (for prefixes)
    for (const w of loose) { if (!needed.has(w.term)) { needed.set(w.term, w.raw); } }
    for (const run of phrases) { for (const t of run) { if (!needed.has(t)) { needed.set(t, t); } } }
    return { loose: loose, phrases: phrases, needed: needed };
  }

  // --- The index: shards.json, the term files a query needs, the blocks of the results shown
  // (the last two gzip-compressed JSON, .json.gz). ---
  let compute = 0;  // milliseconds spent in this script on the current query
  function timed(fn) {
    const started = performance.now();
    try { return fn(); } finally { compute += performance.now() - started; }
  }
  async function textOf(response) {
    // A response's text. A .json.gz file comes as GitHub Pages sends it, the gzip bytes
    // themselves (no Content-Encoding), unpacked here; a host that sent it with
    // Content-Encoding: gzip had fetch unpack it already, and plain JSON never starts with
    // gzip's magic bytes 1f 8b.
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      return new TextDecoder().decode(bytes);
    }
    if (typeof DecompressionStream === "undefined") {
      throw new Error("this browser cannot unpack it (no DecompressionStream)");
    }
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  const files = new Map();
  function file(path) {
    if (!files.has(path)) {
      const loading = fetch(new URL(path, base)).then((r) => {
        if (!r.ok) { throw new Error(path + ": " + r.status); }
        return textOf(r);
      }).then((text) => timed(() => JSON.parse(text)));
      loading.catch(() => { files.delete(path); });
      files.set(path, loading);
    }
    return files.get(path);
  }
  function folderOf(shard) {
    return "search/" + encodeURIComponent(shard.name) + "/";
  }
  function fileOf(term, firsts) {
    // The last file whose first term sorts at or before `term` (JavaScript's order is the
    // build's: UTF-16 code units).
    let low = 0;
    let high = firsts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (firsts[mid] <= term) { low = mid; } else { high = mid - 1; }
    }
    return low;
  }
  function filesFor(term, raw, firsts) {
    // The files holding the term, the word as typed, and the words the typed word begins.
    const from = fileOf(term < raw ? term : raw, firsts);
    let to = fileOf(term < raw ? raw : term, firsts);
    while (to + 1 < firsts.length && firsts[to + 1].startsWith(raw) && to - from + 1 < MAX_FILES) {
      to += 1;
    }
    const out = [];
    for (let k = from; k <= Math.min(to, from + MAX_FILES - 1); k++) { out.push(k); }
    return out;
  }

  function editDistance(a, b, limit) {
    // Optimal string alignment distance (a swap of neighbours is one edit), or limit + 1.
    if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
    let before = null;
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      let best = i;
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let d = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
        if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          d = Math.min(d, before[j - 2] + 1);
        }
        row.push(d);
        best = Math.min(best, d);
      }
      if (best > limit) { return limit + 1; }
      before = previous;
      previous = row;
    }
    return previous[b.length];
  }
  function editsAllowed(term) {
    return term.length >= 8 ? 2 : term.length >= 4 ? 1 : 0;
  }

  function addPostings(found, postings, offset, weight, exact, near = false) {
    // found: global paper number -> {weight, places, near}; places only from the term itself,
    // near while the paper has only words spelled nearly like the term.
    let doc = 0;
    let i = 0;
    while (i < postings.length) {
      doc += postings[i];
      const impact = postings[i + 1] * weight;
      const count = postings[i + 2];
      const key = offset + doc;
      let entry = found.get(key);
      if (!entry) { entry = { weight: 0, places: null, near: near }; found.set(key, entry); }
      if (impact > entry.weight) { entry.weight = impact; }
      entry.near = entry.near && near;
      if (exact) {
        const places = entry.places || (entry.places = new Set());
        let at = 0;
        for (let p = 0; p < count; p++) { at += postings[i + 3 + p]; places.add(at); }
      }
      i += 3 + count;
    }
  }

  // Endings tried on a word that is not in the index as typed, so that a beginning such as
  // "tokeniz" finds the stem of the words it begins ("tokenization" is "token").
  const ENDINGS = ["e", "s", "ed", "er", "ing", "ion", "ation", "al", "ity"];

  async function findTerm(term, raw, listing, offsets, matched) {
    // Every paper with the term, or with the words it begins or the word it is the start of
    // when it is no word of the index itself: global number -> {weight, places, near}.
    const found = new Map();
    const exact = new Set([term, raw]);
    const long = Array.from(raw).length >= MIN_PREFIX;
    const completed = new Set(long && listing.stem
      ? ENDINGS.map((e) => stem(raw + e)).filter((w) => !exact.has(w)) : []);
    const perShard = await Promise.all(listing.shards.map((shard) => {
      // The files of the term and the word as typed first, then those of the words it
      // begins, then those of its completions: at most MAX_FILES + 1.
      const wanted = new Set(Array.from(exact, (w) => fileOf(w, shard.files)));
      for (const k of filesFor(term, raw, shard.files)) { wanted.add(k); }
      for (const w of completed) { wanted.add(fileOf(w, shard.files)); }
      return Promise.all(Array.from(wanted).slice(0, MAX_FILES + 1).map((k) =>
        file(folderOf(shard) + "t" + k + ".json.gz")));
    }));
    timed(() => {
      const isWord = perShard.some((chunks) => chunks.some((c) =>
        Object.prototype.hasOwnProperty.call(c, term) || Object.prototype.hasOwnProperty.call(c, raw)));
      perShard.forEach((chunks, s) => {
        for (const chunk of chunks) {
          for (const word of Object.keys(chunk)) {
            let weight = 0;
            if (exact.has(word) || (!isWord && completed.has(word))) {
              weight = 1;
            } else if (!isWord && long && word.startsWith(raw)) {
              weight = PREFIX_WEIGHT;
            }
            if (weight === 0) { continue; }
            matched.add(word);
            addPostings(found, chunk[word], offsets[s], weight, weight === 1);
          }
        }
      });
    });
    if (found.size >= FEW || editsAllowed(term) === 0) { return found; }
    // Few papers: the words spelled most nearly like it (one edit away if there are any, else
    // two), in the term's file and the ones on either side ("modle" sorts after "model").
    const shardsNear = await Promise.all(listing.shards.map((shard) => {
      const k = fileOf(term, shard.files);
      const near = [k - 1, k, k + 1].filter((n) => n >= 0 && n < shard.files.length);
      return Promise.all(near.map((n) => file(folderOf(shard) + "t" + n + ".json.gz")));
    }));
    timed(() => {
      const candidates = [];  // [shard, word, edits]
      shardsNear.forEach((chunks, s) => {
        for (const chunk of chunks) {
          for (const word of Object.keys(chunk)) {
            if (word === term || word.startsWith(raw) || word[0] !== term[0]) { continue; }
            const edits = editDistance(word, term, editsAllowed(term));
            if (edits <= editsAllowed(term)) { candidates.push([s, chunk, word, edits]); }
          }
        }
      });
      const fewest = Math.min(...candidates.map((c) => c[3]));
      for (const [s, chunk, word, edits] of candidates) {
        if (edits !== fewest) { continue; }
        matched.add(word);
        addPostings(found, chunk[word], offsets[s], TYPO_WEIGHT, false, true);
      }
    });
    return found;
  }

  function hasRun(run, byTerm, key) {
    // Whether the terms of `run` stand in a row in the paper `key`.
    const first = byTerm.get(run[0]).get(key).places;
    if (!first) { return false; }
    for (const start of first) {
      let ok = true;
      for (let n = 1; n < run.length && ok; n++) {
        const places = byTerm.get(run[n]).get(key).places;
        ok = !!places && places.has(start + n);
      }
      if (ok) { return true; }
    }
    return false;
  }

  function rank(query, byTerm) {
    // Papers with every term, best first; phrases must stand in a row.
    const needed = Array.from(query.needed.keys());
    const sets = needed.map((t) => byTerm.get(t)).sort((a, b) => a.size - b.size);
    const hits = [];
    for (const key of sets[0].keys()) {
      if (!sets.every((m) => m.has(key))) { continue; }
      if (!query.phrases.every((run) => run.length < 2 || hasRun(run, byTerm, key))) { continue; }
      let score = 0;
      let near = 0;  // terms the paper has only misspelt
      for (const t of needed) {
        const entry = byTerm.get(t).get(key);
        score += entry.weight;
        near += entry.near ? 1 : 0;
      }
      for (let n = 0; n + 1 < query.loose.length; n++) {
        const a = query.loose[n];
        const b = query.loose[n + 1];
        if (a.single && b.single && a.term !== b.term && hasRun([a.term, b.term], byTerm, key)) {
          score += NEAR_BONUS * (byTerm.get(a.term).get(key).weight + byTerm.get(b.term).get(key).weight);
        }
      }
      for (const run of query.phrases) {
        if (run.length > 1) { score += NEAR_BONUS * run.reduce((s, t) => s + byTerm.get(t).get(key).weight, 0); }
      }
      hits.push({ key: key, score: score, near: near });
    }
    // Papers with the words as typed before papers with misspellings of them; then best
    // first; equal scores newest first (later papers have larger numbers).
    hits.sort((a, b) => a.near - b.near || b.score - a.score || b.key - a.key);
    return hits;
  }

  function inTheme(mask, theme) {
    // Whether a paper's entry in data/search-themes.json has theme number `theme`: a list of
    // theme numbers, or a bit mask read by arithmetic rather than `&` (which would cut it to
    // 32 bits).
    if (Array.isArray(mask)) { return mask.includes(theme); }
    return Math.floor((mask || 0) / 2 ** theme) % 2 === 1;
  }

  // --- Showing results. ---
  function marked(text, matched, stemmed) {
    // The text with every word whose terms include a matched index word in <mark>.
    const node = document.createDocumentFragment();
    let at = 0;
    for (const m of text.matchAll(WORD)) {
      const own = words(m[0]).flat().map((w) => (stemmed ? stem(w) : w));
      if (!own.some((t) => matched.has(t))) { continue; }
      node.append(text.slice(at, m.index));
      const mark = document.createElement("mark");
      mark.textContent = m[0];
      node.append(mark);
      at = m.index + m[0].length;
    }
    node.append(text.slice(at));
    return node;
  }

  function paragraph(className, content) {
    const p = document.createElement("p");
    p.className = className;
    p.append(content);
    return p;
  }

  function showHit(row, themes, matched, stemmed) {
    const [slug, title, authors, date, excerpt] = row.paper;
    const item = document.createElement("li");
    item.className = "paper-item";
    const heading = document.createElement("h2");
    heading.className = "paper-title";
    const link = document.createElement("a");
    link.href = new URL("papers/" + encodeURIComponent(slug) + ".html", base).href;
    link.append(marked(title, matched, stemmed));
    heading.appendChild(link);
    item.appendChild(heading);
    if (authors) { item.appendChild(paragraph("authors", marked(authors, matched, stemmed))); }
    const meta = [date].concat(themes.filter((t, i) => inTheme(row.mask, i)).map((t) => t[1]));
    item.appendChild(paragraph("meta muted", meta.filter(Boolean).join(" · ")));
    if (excerpt) { item.appendChild(paragraph("teaser snippet", marked(excerpt, matched, stemmed))); }
    return item;
  }

  function pageLink(page, text) {
    const url = new URL(window.location.href);
    url.searchParams.set("page", String(page));
    const a = document.createElement("a");
    a.href = url.href;
    a.textContent = text;
    a.addEventListener("click", (event) => {
      event.preventDefault();
      window.history.pushState(null, "", url);
      run();
    });
    return a;
  }

  function showPager(page, pages) {
    pager.replaceChildren();
    if (pages <= 1) { return; }
    if (page > 1) { pager.append(pageLink(page - 1, "← Previous")); }
    const here = document.createElement("span");
    here.setAttribute("aria-current", "page");
    here.textContent = "Page " + page + " of " + pages;
    pager.append(here);
    if (page < pages) { pager.append(pageLink(page + 1, "Next →")); }
  }

  function show(message) {
    status.textContent = message;
  }
  function done(query, total) {
    document.dispatchEvent(new CustomEvent("digest:searched",
      { detail: { query: query, total: total, ms: Math.round(compute) } }));
  }

  let current = 0;  // the newest search; an older one still running stops showing
  async function run() {
    const params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    select.value = params.get("theme") || "";
    const query = input.value.trim();
    const mine = ++current;
    compute = 0;
    list.replaceChildren();
    pager.replaceChildren();
    if (!query) {
      show("Type a few words from a title, an abstract or an author's name.");
      return;
    }
    show("Searching…");
    let listing;
    let themes;
    try {
      [listing, themes] = await Promise.all([file("search/shards.json"),
        file("data/search-themes.json")]);
    } catch (err) {
      if (mine !== current) { return; }
      show(window.location.protocol === "file:"
        ? "Search is not available here (it needs the site to be served over HTTP)."
        : "The search index could not be read: " + err.message);
      return;
    }
    if (mine !== current) { return; }
    if (listing.format !== FORMAT) {
      show("The search index has a format this page does not know; rebuild the site.");
      return;
    }
    const parsed = timed(() => parseQuery(query, listing.stem));
    if (parsed.needed.size === 0) {
      show("No paper found for “" + query + "”: type words with letters or digits.");
      done(query, 0);
      return;
    }
    const offsets = [];
    listing.shards.reduce((sum, shard) => { offsets.push(sum); return sum + shard.papers; }, 0);
    const matched = new Set();
    let hits;
    try {
      const found = await Promise.all(Array.from(parsed.needed, ([term, raw]) =>
        findTerm(term, raw, listing, offsets, matched)));
      hits = timed(() => {
        const byTerm = new Map(Array.from(parsed.needed.keys()).map((t, n) => [t, found[n]]));
        let ranked = rank(parsed, byTerm);
        const wanted = themes.themes.findIndex((t) => t[0] === select.value);
        if (wanted >= 0) { ranked = ranked.filter((h) => inTheme(themes.masks[h.key], wanted)); }
        return ranked;
      });
    } catch (err) {
      if (mine === current) { show("The search index could not be read: " + err.message); }
      return;
    }
    const pages = Math.max(1, Math.ceil(hits.length / PER_PAGE));
    const page = Math.min(pages, Math.max(1, parseInt(params.get("page") || "1", 10) || 1));
    const shown = hits.slice((page - 1) * PER_PAGE, page * PER_PAGE);
    let rows;
    try {
      rows = await Promise.all(shown.map(async (hit) => {
        let s = offsets.length - 1;
        while (offsets[s] > hit.key) { s -= 1; }
        const doc = hit.key - offsets[s];
        const block = Math.floor(doc / listing.block);
        const papers = await file(folderOf(listing.shards[s]) + "d" + block + ".json.gz");
        return { paper: papers[doc - block * listing.block], mask: themes.masks[hit.key] || 0 };
      }));
    } catch (err) {
      if (mine === current) { show("The search index could not be read: " + err.message); }
      return;
    }
    if (mine !== current) { return; }
    timed(() => {
      const total = hits.length;
      const label = select.value ? " in " + select.options[select.selectedIndex].text : "";
      const range = total > PER_PAGE
        ? "; " + ((page - 1) * PER_PAGE + 1) + "–" + ((page - 1) * PER_PAGE + shown.length) + ":"
        : ".";
      show(total + (total === 1 ? " paper" : " papers") + " found for “" + query + "”" + label + range);
      for (const row of rows) { list.appendChild(showHit(row, themes.themes, matched, listing.stem)); }
      showPager(page, pages);
    });
    done(query, hits.length);
  }

  function searchFromForm() {
    const url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    if (select.value) { url.searchParams.set("theme", select.value); } else { url.searchParams.delete("theme"); }
    url.searchParams.delete("page");
    window.history.pushState(null, "", url);
    run();
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); searchFromForm(); });
  select.addEventListener("change", () => { if (input.value.trim()) { searchFromForm(); } });
  window.addEventListener("popstate", run);
  run();
})();
