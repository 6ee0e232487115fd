"""For you: the week's papers ranked by the owner's own library.

    settings.py  digest.yaml's interests: section, validated with the rest of the config
    library.py   the library files read into entries, and matched to the digest's papers
    ranking.py   the model (scikit-learn) that scores each paper
    reasons.py   why a paper is listed: its weightiest terms as written, the nearest library
                 papers, its followed authors
    evaluation.py  how well a held-out part of a library is ranked, against simple baselines

Nothing here imports scikit-learn but ranking.py, reasons.py and evaluation.py.
"""
