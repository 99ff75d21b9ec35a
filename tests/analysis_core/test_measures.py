"""The measure registry: one definition per measure, in step with the reference file and
the generated table in docs/analysis_core.md."""

from analysis_core import measures
from analysis_core.reference import load
from scripts.build_measure_docs import DOC, with_table


def test_docs_measure_table_is_up_to_date():
    doc = DOC.read_text(encoding="utf-8")
    assert with_table(doc) == doc, "run scripts/build_measure_docs.py"


def test_every_reference_measure_has_exactly_one_definition():
    keys = [d.key for d in measures.MEASURES]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(load()["measures"])


def test_every_plot_a_measure_names_has_a_title_and_an_axis():
    plots = load()["plots"]
    named = {d.plot for d in measures.MEASURES if d.plot}
    assert named == set(plots)
    for name in named:
        assert plots[name]["title"] and plots[name]["axis"], name


def test_each_activity_and_view_has_at_most_one_method_per_measure():
    for definition in measures.MEASURES:
        for activity in definition.activities:
            views = definition.views(activity)
            assert len(views) == len(set(views)), (definition.key, activity)


def test_timing_measures_are_the_ones_a_stretched_clip_loses():
    assert measures.timing_keys() == ["cadence_spm", "stance_time_asymmetry_pct"]
