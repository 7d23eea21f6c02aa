"""What the simulated users send, kept apart from locust (which patches the standard library
when imported) so that tests/test_loadtest.py can check it against the real forms."""

# Names of the bench data (baom/management/commands/bench_generate.py), searched with one typo.
SEARCHES = [
    "fatumata dialo", "aminata traore", "mariam kone", "ibrahima camara", "awa ndiaye",
    "moussa sow", "grace okafor", "khadija benali", "youssef el amrani", "samuel mensah",
]  # fmt: skip
FILTERS = [
    {"sex": "female", "category": "rpt", "age_band": "25-59", "sort": "name"},
    {"sex": "male", "status": "open"},
    {"category": "mre_returnee", "sort": "name"},
    {"page": "3"},
]
# The statistician's request: checked against the real form by tests/test_loadtest.py (a code
# that the form does not know made every request of an earlier run fail).
ANNUAL_REPORT = {
    "measures": ["new_beneficiaries", "beneficiaries_served", "services"],
    "period": "year",
    "breakdowns": ["age_band", "category"],
    "territory_level": "province",
    "protection": "suppress",
}
