"""Complete answer sets shared by the unit and action tests."""

#: Every question answered; gradual onset, a 50 % load jump, no warning signs.
SELF_CARE = {
    "consent": True, "side": "right", "location": "inner_surface", "onset": "gradual",
    "age_band": "18_54", "emergency_check": True, "urgent_check": True, "swelling": False,
    "distance_before_km": 30.0, "distance_now_km": 45.0, "weeks_since_change": 2.0,
    "pain_duration_weeks": 1.0, "pain_triggers": ["after_runs"], "pain_score": 3,
    "settles_by_next_day": True, "limp": False, "tried": [],
}
