"""The tables the TeX reader (tex_parser.py) looks commands up in: symbols by name, styles,
commands it drops, accents, and Unicode's super- and subscript, script and double-struck
letters."""

from __future__ import annotations

# Unicode has super- and subscript glyphs for digits, signs and some letters only; anything
# else falls back to ^(...) in text and <sup> in HTML.
SUPERSCRIPT = dict(zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδφχ*′⊤",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᵠᵡ*′ᵀ", strict=True))
SUBSCRIPT = dict(zip(
    "0123456789+-=()aehijklmnoprstuvxβγρφχ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True))

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "varrho": "ϱ",
    "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
    "Omega": "Ω",
}
SYMBOLS = {
    **GREEK,
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃",
    "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "infty": "∞", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "mapsto": "↦",
    "leftrightarrow": "↔", "iff": "⇔", "in": "∈", "notin": "∉", "subset": "⊂",
    "subseteq": "⊆", "supset": "⊃", "cup": "∪", "cap": "∩", "emptyset": "∅", "forall": "∀",
    "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨", "partial": "∂", "nabla": "∇",
    "sum": "∑", "prod": "∏", "int": "∫", "ell": "ℓ", "circ": "∘", "star": "⋆", "ast": "∗",
    "oplus": "⊕", "otimes": "⊗", "langle": "⟨", "rangle": "⟩", "mid": "|", "vert": "|",
    "Vert": "‖", "|": "‖", "ldots": "…", "dots": "…", "cdots": "⋯", "prime": "′",
    "top": "⊤", "dagger": "†", "degree": "°", "quad": " ", "qquad": " ",
    # Text-mode macros from conference style files, and TeX's escaped characters.
    "eg": "e.g.", "ie": "i.e.", "etal": "et al.", "vs": "vs.", "cf": "cf.", "wrt": "w.r.t.",
    "etc": "etc.", "textasciitilde": "~", "textendash": "–", "textemdash": "—",
    "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ",
    ",": " ", ";": " ", ":": " ", "!": "", "\\": " ",
}
# Commands whose argument is shown in a style; "" shows it plain.
STYLES = {
    "textbf": "strong", "mathbf": "strong", "bm": "strong", "boldsymbol": "strong",
    "textit": "em", "emph": "em", "mathit": "em", "textsl": "em", "underline": "em",
    "text": "", "textrm": "", "mathrm": "", "textsf": "", "mathsf": "", "texttt": "",
    "mathtt": "", "operatorname": "", "textnormal": "", "mbox": "", "hbox": "", "textsc": "",
}
# Old-style switches: {\em x}, {\bf x} style the rest of their group.
SWITCHES = {"em": "em", "it": "em", "sl": "em", "bf": "strong", "rm": "", "sc": "", "tt": "",
            "sf": "", "normalfont": ""}
DROP_ONE_ARG = {"cite", "citep", "citet", "ref", "eqref", "label", "color", "vspace", "hspace",
                "footnotemark", "faIcon"}
NOTHING = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "displaystyle", "textstyle", "limits", "nolimits", "noindent", "centering"}
ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303",
           "=": "\u0304", ".": "\u0307", "hat": "\u0302", "bar": "\u0304", "tilde": "\u0303",
           "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "overline": "\u0305",
           "widehat": "\u0302", "widetilde": "\u0303"}


def _script_table(start: int, exceptions: dict[str, str]) -> dict[str, str]:
    """A to Z from the Unicode block starting at `start`, save the `exceptions`."""
    table = {chr(65 + n): chr(start + n) for n in range(26)}
    table.update(exceptions)
    return table


# Mathematical script and double-struck capitals; the gaps in those Unicode blocks are letters
# that were encoded earlier, in Letterlike Symbols.
SCRIPT = _script_table(0x1D49C, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ",
                                 "M": "ℳ", "R": "ℛ"})
BLACKBOARD = _script_table(0x1D538, {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ",
                                     "R": "ℝ", "Z": "ℤ"})
