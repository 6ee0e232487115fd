"""The curator's commands: `digest themes` shows what the theme model decided and where it
hesitated, `digest eval` scores it against hand-made labels. Neither writes anything."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.common import clip, content_option, reported_errors


@click.command()
@content_option
@click.option("--boundary", default=5, show_default=True,
              help="How many close calls to list per theme.")
def themes(content_dir: Path, boundary: int) -> None:
    """Report, per theme, what the model decided and which papers were close calls.

    For each theme: how many papers it holds, how many were clear keyword matches,
    the terms the model weighs most, its sub-topics, and the papers nearest the
    decision threshold, so a curator can refine keywords and exclusions.
    """
    from generator.config import load_config
    from generator.pipeline import read_papers
    from generator.stages.themes import assign_themes, theme_settings
    from generator.stages.themes.standing import STANDINGS

    with reported_errors():
        config = load_config(content_dir)
        corpus = read_papers(config)
        papers, warnings = corpus.papers, corpus.warnings
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    result = assign_themes(papers, config.themes, theme_settings(config))
    by_id = {p.id: p for p in papers}
    other = sum(1 for p in papers if not result.assignments[p.id])
    click.echo(f"{len(papers)} papers; {other} in no theme (listed under Other).")
    for spec in config.themes:
        st = result.stats[spec.slug]
        click.echo("")
        click.secho(f"{spec.name} ({spec.slug}): {st.count} papers", bold=True)
        click.echo(f"  clear keyword matches (model seeds): {st.seeds}; admitted without any "
                   f"keyword: {st.admitted_without_keyword}; keyword mentions rejected: "
                   f"{st.rejected_with_keyword}")
        standings = [a.standing for pid in result.assignments
                     for a in result.assignments[pid] if a.theme == spec.slug]
        click.echo("  standing: " + ", ".join(f"{standings.count(s)} {s}"
                                               for s in STANDINGS))
        click.echo(f"  top terms: {', '.join(st.top_terms) or '(too few examples to train)'}")
        for topic in result.subtopics[spec.slug]:
            click.echo(f"  sub-topic {topic.name}: {len(topic.paper_ids)} papers")
        click.echo("  closest to the decision boundary:")
        for pid, probability, evidence, inside in st.boundary[:boundary]:
            member = next((a for a in result.assignments[pid] if a.theme == spec.slug), None)
            mark = f"in ({member.standing})" if inside and member else "out"
            click.echo(f"    {mark:<17} p={probability:.2f} evidence={evidence:g}  "
                       f"{clip(by_id[pid].title, 80)}")


@click.command(name="eval")
@click.argument("labels", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@content_option
def eval_command(labels: Path, content_dir: Path) -> None:
    """Score the themes against a hand-labelled LABELS file (JSON).

    LABELS is a list of {"title", "labels": [theme slugs], "uncertain": [theme slugs]}.
    Prints precision, recall and F1 per theme and the macro-F1; a row is skipped for a
    theme listed as uncertain. The labels are only read here, never by a build.
    """
    from generator.config import load_config
    from generator.pipeline import read_papers
    from generator.stages.merge import normalise_title
    from generator.stages.themes import assign_themes, theme_settings
    from generator.tools.evaluate import evaluate, load_labels

    with reported_errors():
        config = load_config(content_dir)
        rows = load_labels(labels)
        papers = read_papers(config).papers
    result = assign_themes(papers, config.themes, theme_settings(config))
    predicted = {normalise_title(p.title): {a.theme for a in result.assignments[p.id]}
                 for p in papers}
    report = evaluate(predicted, rows, [t.slug for t in config.themes])
    click.echo(f"{report.rows} labelled papers scored"
               + (f"; {len(report.unmatched)} label rows match no paper" if report.unmatched else ""))
    click.echo(f"{'theme':<26} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}")
    for sc in report.scores:
        click.echo(f"{sc.theme:<26} {sc.precision:6.3f} {sc.recall:6.3f} {sc.f1:6.3f} "
                   f"{sc.tp:5d} {sc.fp:5d} {sc.fn:5d}")
    click.echo(f"{'macro-F1':<26} {'':>6} {'':>6} {report.macro_f1:6.3f}")
