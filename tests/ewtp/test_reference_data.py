"""load_reference_data loads the datasets every app registers in its AppConfig.ready()."""

from io import StringIO

from django.core.management import call_command


def test_the_command_loads_every_apps_datasets_and_skips_unchanged_files(reference_data):
    # given the reference data loaded once (the session's database)
    out = StringIO()
    # when it is loaded again
    call_command("load_reference_data", stdout=out)
    # then each app's datasets are named, in the apps' order, each skipped as unchanged
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == [
        "customs.hs", "customs.tariff_book", "customs.screening_lists", "logistics.rate_book", "payments.fx_rates"]
    assert all(line.endswith("(unchanged, skipped)") for line in lines)
