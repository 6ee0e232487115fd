// The Snowball English ("Porter2") stemmer, written for this site from the published
// description of the algorithm (snowballstem.org, "The English (Porter2) stemming algorithm"),
// in the version of Snowball 3 that PyStemmer 3.1 carries: the build stems the words of the
// search index with PyStemmer, and the browser must stem a query's words by the same rules.
// tests/test_stemmer.py holds the two to each other word for word.
//
// Beyond the classic description, Snowball 3 has:
//  - more prefixes after which R1 begins: past, univers, later, emerg, organ, inter (besides
//    gener, commun, arsen);
//  - "past" counts as a short syllable (so paste, pasted, pasting stay apart from past);
//  - in step 1b, "ing" after exactly one non-vowel and a "y" becomes "ie" (dying, vying, hying),
//    which replaces the old exceptions dying, lying, tying;
//  - in step 1b, the exceptions are handled by the rules they escape: "eed"/"eedly" after
//    exactly proc, exc, succ and "ing" after exactly inn, out, cann, herr, earr, even are kept
//    (proceedly, herrings, evening);
//  - in step 1b, a final double letter is kept when all that precedes it is exactly a, e or o
//    (added, egged, offing);
//  - in step 2, "ogist" becomes "og" (geologist, pedagogist).
//
// Input: one word, already lower-cased and accent-folded. Only a-z take part in the rules
// (a, e, i, o, u, y are the vowels); any other character (a digit, a Greek or CJK letter) is a
// non-vowel that no rule removes, as in Snowball. Characters are counted as code points.
//
// Defines window.digestStem(word) -> stem. A classic script: no modules, no dependencies.
(function () {
  "use strict";

  function own(table, key) {
    return Object.prototype.hasOwnProperty.call(table, key);
  }

  // Whole words stemmed as given, looked at before anything else. (Snowball's description
  // of version 3 drops skis, saying the rules give ski anyway; they do not, since the vowel
  // of "ski" is right before the s, and PyStemmer 3.1 still has it.)
  const EXCEPTIONAL = {
    skis: "ski", skies: "sky", idly: "idl", gently: "gentl", ugly: "ugli", early: "earli",
    only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
    cosmos: "cosmos", bias: "bias", andes: "andes",
  };
  // In step 1b, what before "eed"/"eedly" or before "ing" leaves the word as it is
  // (proceed, herring, evening; after step 1a, so "herrings" -> "herring" too).
  const KEEP_EED = ["proc", "exc", "succ"];
  const KEEP_ING = ["inn", "out", "cann", "herr", "earr", "even"];
  // A word beginning with one of these has R1 start right after it.
  const R1_PREFIXES = [
    "gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter",
  ];
  const DOUBLES = ["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"];
  const LI_ENDINGS = "cdeghkmnrt";

  // Suffix -> replacement; "" deletes. Each step applies only the longest suffix that ends the
  // word, and does nothing at all when that suffix's condition fails.
  const STEP2 = {
    tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent", izer: "ize",
    ization: "ize", ational: "ate", ation: "ate", ator: "ate", alism: "al", aliti: "al",
    alli: "al", fulness: "ful", ousli: "ous", ousness: "ous", iveness: "ive", iviti: "ive",
    biliti: "ble", bli: "ble", ogi: "og", fulli: "ful", lessli: "less", li: "", ogist: "og",
  };
  const STEP3 = {
    tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic", ical: "ic",
    ful: "", ness: "", ative: "",
  };
  const STEP4 = [
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism",
    "ate", "iti", "ous", "ive", "ize", "ion",
  ];

  function longestFirst(list) {
    return list.slice().sort((a, b) => b.length - a.length);
  }
  const STEP0_ENDS = longestFirst(["'s'", "'s", "'"]);
  const STEP1A_ENDS = longestFirst(["sses", "ied", "ies", "us", "ss", "s"]);
  const STEP1B_ENDS = longestFirst(["eed", "eedly", "ed", "edly", "ing", "ingly"]);
  const STEP2_ENDS = longestFirst(Object.keys(STEP2));
  const STEP3_ENDS = longestFirst(Object.keys(STEP3));
  const STEP4_ENDS = longestFirst(STEP4);

  function isVowel(c) {
    // Lower-case y only: a y that acts as a consonant has been written "Y".
    return c.length === 1 && "aeiouy".indexOf(c) >= 0;
  }

  function endingOf(w, ends) {
    for (const end of ends) {
      if (w.endsWith(end)) { return end; }
    }
    return null;
  }

  // Where the region after the first non-vowel that follows a vowel begins, looking from `from`
  // on; the word's length when there is none.
  function regionFrom(w, from) {
    let i = from;
    while (i < w.length && !isVowel(w[i])) { i++; }
    while (i < w.length && isVowel(w[i])) { i++; }
    return i < w.length ? i + 1 : w.length;
  }

  // Does w end in a short syllable: a non-vowel, a vowel, then a non-vowel other than w, x and
  // Y; or, as the whole of w, a vowel and a non-vowel; or "past" (Snowball 3: so that paste,
  // pasted, pasting keep apart from past).
  function endsShort(w) {
    const n = w.length;
    if (n === 2) { return isVowel(w[0]) && !isVowel(w[1]); }
    if (n < 3) { return false; }
    if (w.endsWith("past")) { return true; }
    const last = w[n - 1];
    return !isVowel(w[n - 3]) && isVowel(w[n - 2]) && !isVowel(last) &&
      last !== "w" && last !== "x" && last !== "Y";
  }

  function hasVowel(s) {
    for (const c of s) {
      if (isVowel(c)) { return true; }
    }
    return false;
  }

  // The algorithm on a word whose characters are each one UTF-16 unit.
  function stemUnits(word) {
    if (own(EXCEPTIONAL, word)) { return EXCEPTIONAL[word]; }
    if (word.length < 3) { return word; }

    // Prelude: drop a leading apostrophe; y at the start or after a vowel is a consonant, Y.
    let w = word[0] === "'" ? word.slice(1) : word;
    let marked = "";
    for (let i = 0; i < w.length; i++) {
      const c = w[i];
      marked += c === "y" && (i === 0 || isVowel(marked[i - 1])) ? "Y" : c;
    }
    w = marked;

    let p1 = -1;
    for (const prefix of R1_PREFIXES) {
      if (w.startsWith(prefix)) { p1 = prefix.length; break; }
    }
    if (p1 < 0) { p1 = regionFrom(w, 0); }
    const p2 = regionFrom(w, p1);

    // Step 0: apostrophe endings.
    let end = endingOf(w, STEP0_ENDS);
    if (end) { w = w.slice(0, -end.length); }

    // Step 1a: plurals.
    end = endingOf(w, STEP1A_ENDS);
    if (end === "sses") {
      w = w.slice(0, -2);
    } else if (end === "ied" || end === "ies") {
      w = w.slice(0, -3) + (w.length > 4 ? "i" : "ie");
    } else if (end === "s") {
      if (hasVowel(w.slice(0, -2))) { w = w.slice(0, -1); }
    }

    // Step 1b: ed, ing and their -ly forms.
    end = endingOf(w, STEP1B_ENDS);
    if (end === "eed" || end === "eedly") {
      const rest = w.slice(0, -end.length);
      if (KEEP_EED.indexOf(rest) < 0 && rest.length >= p1) { w = rest + "ee"; }
    } else if (end) {
      const rest = w.slice(0, -end.length);
      if (end === "ing" && rest.length === 2 && !isVowel(rest[0]) && rest[1] === "y") {
        w = rest[0] + "ie";  // dying, lying, tying, vying, hying
      } else if (end === "ing" && KEEP_ING.indexOf(rest) >= 0) {
        // inning, outing, canning, herring, earring, evening: left as they are
      } else if (hasVowel(rest)) {
        w = rest;
        const tail = w.slice(-2);
        if (tail === "at" || tail === "bl" || tail === "iz") {
          w += "e";
        } else if (DOUBLES.indexOf(tail) >= 0) {
          if (!(w.length === 3 && "aeo".indexOf(w[0]) >= 0)) { w = w.slice(0, -1); }
        } else if (p1 >= w.length && endsShort(w)) {
          w += "e";
        }
      }
    }

    // Step 1c: a final y after a non-vowel that is not the first letter becomes i.
    const n = w.length;
    if (n > 2 && (w[n - 1] === "y" || w[n - 1] === "Y") && !isVowel(w[n - 2])) {
      w = w.slice(0, -1) + "i";
    }

    // Step 2: in R1.
    end = endingOf(w, STEP2_ENDS);
    if (end && w.length - end.length >= p1) {
      const before = w[w.length - end.length - 1];
      if (end === "ogi") {
        if (before === "l") { w = w.slice(0, -3) + "og"; }
      } else if (end === "li") {
        if (before !== undefined && LI_ENDINGS.indexOf(before) >= 0) { w = w.slice(0, -2); }
      } else {
        w = w.slice(0, -end.length) + STEP2[end];
      }
    }

    // Step 3: in R1 ("ative" in R2).
    end = endingOf(w, STEP3_ENDS);
    if (end && w.length - end.length >= p1) {
      if (end !== "ative" || w.length - end.length >= p2) {
        w = w.slice(0, -end.length) + STEP3[end];
      }
    }

    // Step 4: in R2 ("ion" after s or t).
    end = endingOf(w, STEP4_ENDS);
    if (end && w.length - end.length >= p2) {
      const before = w[w.length - end.length - 1];
      if (end !== "ion" || before === "s" || before === "t") {
        w = w.slice(0, -end.length);
      }
    }

    // Step 5: a final e in R2, or in R1 after no short syllable; ll in R2 loses an l.
    const m = w.length;
    if (w[m - 1] === "e") {
      if (m - 1 >= p2 || (m - 1 >= p1 && !endsShort(w.slice(0, -1)))) { w = w.slice(0, -1); }
    } else if (w[m - 1] === "l") {
      if (m - 1 >= p2 && w[m - 2] === "l") { w = w.slice(0, -1); }
    }

    return w.replace(/Y/g, "y");
  }

  // Characters beyond the BMP are two UTF-16 units but one character to Snowball. None takes
  // part in any rule and none is ever removed, so each stands in as U+E000 while the rules run,
  // and the stem gets them back in order (a U+E000 of the word itself goes the same way).
  const WIDE = /[\uD800-\uDBFF][\uDC00-\uDFFF]|\uE000/g;

  window.digestStem = function (word) {
    const wide = word.match(WIDE);
    if (!wide) { return stemUnits(word); }
    let k = 0;
    return stemUnits(word.replace(WIDE, "\uE000")).replace(/\uE000/g, () => wide[k++]);
  };
})();
