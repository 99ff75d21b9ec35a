"""Signal cleaning, gait events and repetition detection on synthetic signals."""

import numpy as np
import pytest

from analysis_core import events, filtering


def test_fill_gaps_short_and_long():
    x = np.array([0.0, 1.0, np.nan, np.nan, 4.0] + [np.nan] * 12 + [5.0])
    y = filtering.fill_gaps(x, max_gap=10)
    assert y[2] == pytest.approx(2.0) and y[3] == pytest.approx(3.0)
    assert np.isnan(y[5:17]).all()


def test_hampel_removes_spike_only():
    x = np.sin(np.linspace(0, 6, 60))
    x[30] += 5.0
    y = filtering.hampel(x)
    assert abs(y[30] - np.sin(6 * 30 / 59)) < 0.2
    assert np.allclose(np.delete(y, 30), np.delete(x, 30))


def test_lowpass_is_zero_phase_and_smooths():
    fs = 60.0
    t = np.arange(0, 4, 1 / fs)
    clean = np.sin(2 * np.pi * 1.5 * t)
    noisy = clean + 0.3 * np.sin(2 * np.pi * 20 * t)
    y = filtering.lowpass(noisy, fs, 6.0)
    core = slice(30, -30)
    assert np.max(np.abs(y[core] - clean[core])) < 0.05  # no delay, noise gone


def test_clean_landmarks_blanks_low_visibility():
    lm = np.zeros((40, 33, 4))
    lm[..., 3] = 0.9
    lm[10:30, 5, 3] = 0.1  # 20-frame gap: too long to fill
    out = filtering.clean_landmarks(lm, 30.0)
    assert np.isnan(out[15, 5, 0]) and out[15, 6, 0] == pytest.approx(0.0)


def test_dominant_frequency_fine_grid():
    fs = 30.0
    t = np.arange(0, 12, 1 / fs)
    f, share = events.dominant_frequency(np.sin(2 * np.pi * 2.815 * t) + 0.01 * t, fs)
    assert f == pytest.approx(2.815, abs=0.005) and share > 0.5


def test_cadence_from_steps_uses_span():
    steps = np.arange(0, 10) * (60 / 170)
    assert events.cadence_from_steps(steps) == pytest.approx(170.0)
    assert np.isnan(events.cadence_from_steps(np.array([1.0, 2.0])))


def test_regular_steps_drops_outliers():
    t = np.array([0.0, 0.35, 0.7, 1.05, 2.5, 2.85, 3.2, 3.55, 3.9])
    kept = events.regular_steps(t, 0.35)
    assert len(kept) == 5 and kept[0] == pytest.approx(2.5)


def test_side_view_steps_alternating_feet():
    fs, cad = 30.0, 168.0
    step = 60 / cad
    t = np.arange(0, 8, 1 / fs)
    phase = 2 * np.pi * t / (2 * step)
    left = 0.3 * np.cos(phase)  # heel ahead of the pelvis, peaks at strikes
    right = 0.3 * np.cos(phase + np.pi)
    ev = events.side_view_steps(left, right, left - 0.1, right - 0.1, fs, cad / 60)
    assert events.cadence_from_steps(ev["strikes"]) == pytest.approx(cad, rel=0.01)
    assert set(ev["strike_side"].tolist()) == {0, 1}
    assert np.all(np.diff(ev["strike_side"]) != 0)  # left, right, left...


def test_stance_times():
    st = events.stance_times(np.array([0.0, 0.4, 0.8]), np.array([0.25, 0.62, 1.0]))
    assert st[0] == pytest.approx(0.25) and st[1] == pytest.approx(0.22) and np.isnan(st[2])


def test_front_view_midstance():
    fs = 30.0
    t = np.arange(0, 6, 1 / fs)
    d = 0.1 * np.sin(2 * np.pi * 1.4 * t)
    mids = events.front_view_midstance(d, np.zeros_like(d), fs, 2.8)
    assert len(mids["left"]) >= 7 and len(mids["right"]) >= 7
    assert np.all(np.abs(np.sin(2 * np.pi * 1.4 * mids["left"]) - 1) < 0.02)


def test_detect_reps():
    fs = 30.0
    t = np.arange(0, 15, 1 / fs)
    depth = 0.3 * np.clip(np.sin(2 * np.pi * t / 3.0), 0, None)
    reps = events.detect_reps(depth, fs)
    assert len(reps) == 5
    assert all(abs(r.depth - 0.3) < 0.01 for r in reps)
    assert events.detect_reps(0.02 * depth, fs) == []


def _foot_track(t: np.ndarray, strikes: np.ndarray, contact: float, stride: float) -> np.ndarray:
    """Toe ahead of the pelvis: +0.3 at the strike, back to -0.4 at toe-off, swing forward."""
    x = np.full_like(t, np.nan)
    for s in strikes:
        stance = (t >= s) & (t < s + contact)
        x[stance] = 0.3 - 0.7 * (t[stance] - s) / contact
        swing = (t >= s + contact) & (t < s + stride)
        x[swing] = -0.4 + 0.7 * (t[swing] - s - contact) / (stride - contact)
    return x


@pytest.mark.parametrize("fs", [30.0, 60.0])
def test_toe_off_per_step_recovers_contact_times(fs):
    step = 60 / 170
    t = np.arange(0, 8, 1 / fs)
    left_strikes = np.arange(0.1, 8, 2 * step)
    right_strikes = left_strikes + step
    left = _foot_track(t, left_strikes, 0.24, 2 * step)
    right = _foot_track(t, right_strikes, 0.28, 2 * step)
    strikes = np.sort(np.concatenate([left_strikes, right_strikes]))
    strikes = strikes[strikes < 7.0]
    toe = events.toe_off_per_step(np.fmin(left, right), strikes, fs, step)
    stance = toe - strikes
    is_left = np.isin(strikes, left_strikes)
    ok = np.isfinite(stance)
    assert ok.sum() >= len(strikes) - 2
    assert np.nanmedian(stance[is_left]) == pytest.approx(0.24, abs=0.5 / fs)
    assert np.nanmedian(stance[~is_left]) == pytest.approx(0.28, abs=0.5 / fs)


def test_stance_times_are_refused_without_a_flight_phase_or_when_erratic():
    from analysis_core.running import contact_time_problem as _stance_problem

    step = 0.35
    good = {"left": [0.24, 0.25, 0.24, 0.23], "right": [0.27, 0.28, 0.27, 0.28]}
    assert _stance_problem(good, step) == ""
    no_flight = {"left": [0.36, 0.37, 0.36, 0.38], "right": [0.36, 0.35, 0.37, 0.36]}
    assert "flight" in _stance_problem(no_flight, step)
    erratic = {"left": [0.12, 0.3, 0.2, 0.33], "right": [0.27, 0.28, 0.27, 0.28]}
    assert "vary" in _stance_problem(erratic, step)
    assert "few" in _stance_problem({"left": [0.25], "right": [0.26, 0.27, 0.25]}, step)


def test_a_repetition_cut_off_by_the_clip_counts_only_when_asked():
    fs = 30.0
    t = np.arange(0, 3.5, 1 / fs)
    depth = 0.3 * np.clip(np.sin(2 * np.pi * t / 3.0), 0, None)  # a rep, standing, ...
    depth[-15:] = np.linspace(0.05, 0.4, 15)  # ... and a descent the clip cuts off
    assert len(events.detect_reps(depth, fs)) == 1
    cut = events.detect_reps(depth, fs, include_cut=True)
    assert len(cut) == 2 and cut[-1].bottom == len(depth) - 1
    assert all(0 <= r.start <= r.bottom <= r.end < len(depth) for r in cut)
