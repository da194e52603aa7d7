"""`pvctl deploy --canary N --watch`: metrics from the Monitoring fake, verdicts carried out on the Cloud Run fake."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import grpc
import pytest

from pvctl.core.errors import ConfigError
from pvctl.core.phases import slo_thresholds
from pvctl.gcp import deploy as d
from pvctl.gcp.calls import CallPolicy, GcpError
from pvctl.gcp.canary import CanaryInterrupted, Thresholds, Watch
from pvctl.gcp.metrics import merge, percentile, read_revision
from tests.gcp.conftest import FAST, interrupt_pvctl
from tests.gcp.fakes import scenarios
from tests.gcp.fakes.monitoring_fake import Minute, healthy, histogram, utc

P, R = scenarios.PROJECT, scenarios.REGION
NEW_IMAGE = "southamerica-east1-docker.pkg.dev/pv-test-project/app/api:1.1.0"
FIRST = "pv-api-00001-abc"
T0 = utc(2026, 11, 20, 12, 0, 30)
ERRORS = Minute(ok=490, errors=10)  # 2 % 5xx
SLOW = Minute(ok=500, latency_mix=((300.0, 0.8), (1500.0, 0.2)))  # p95 well above 700 ms
THIN = Minute(ok=3)  # too few requests to judge


class FakeTime:
    """The watch's clocks, advanced only by its own sleeps: a 10 minute watch runs in milliseconds."""

    def __init__(self) -> None:
        self.elapsed = 0.0

    def clock(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.elapsed += seconds

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.elapsed)


def thresholds(**flags) -> Thresholds:
    return Thresholds.resolve(flags, slo_thresholds())


def _canary(fakes) -> d.DeployResult:
    scenarios.mvp(fakes.run, fakes.compute)
    return d.deploy(fakes.clients(), P, R, "pv-api", NEW_IMAGE, 10, FAST)


def _watch(fakes, canary, t: Thresholds | None = None) -> tuple[Watch, FakeTime]:
    fake_time = FakeTime()
    watch = Watch(
        fakes.clients(),
        P,
        R,
        canary,
        t or thresholds(),
        FAST,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        now=fake_time.now,
    )
    return watch, fake_time


def _by_minute(profile):
    """A profile of minutes since T0 (0 = the minute the canary started)."""
    return lambda revision, end: profile(int((end - T0).total_seconds() // 60))


def test_the_defaults_are_the_alert_thresholds_of_the_phase_data():
    t = thresholds()
    assert (t.error_ratio_max, t.error_window, t.p95_ms_max, t.latency_window) == (0.005, 60, 700, 300)
    assert thresholds(error_ratio_max=0.01, p95_ms_max=900).p95_ms_max == 900


def test_bad_threshold_flags_are_named():
    with pytest.raises(ConfigError) as caught:
        thresholds(error_ratio_max=5, error_window=90, interval=0)
    assert [p[0] for p in caught.value.problems] == ["--max-5xx-ratio", "--error-window", "--interval"]


def test_healthy_canary_is_promoted_after_the_healthy_window(fakes):
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = healthy
    watch, fake_time = _watch(fakes, canary)
    result = watch.run()
    assert result.outcome == "promoted" and result.final.revision == canary.revision
    assert fakes.run.traffic_received()[-1] == [("LATEST", "", 100)]
    assert fake_time.elapsed == 600  # 21 readings 30 s apart, every one healthy
    assert {c.verdict for c in result.checks} == {"healthy"}
    # every reading asked Monitoring for this revision, summed per response class, per minute
    request = fakes.monitoring.requests_for("request_count")[-1]
    assert f'resource.labels.revision_name = "{canary.revision}"' in request.filter
    assert list(request.aggregation.group_by_fields) == ["metric.labels.response_code_class"]
    assert request.aggregation.alignment_period.total_seconds() == 60


def test_a_5xx_breach_rolls_back_at_once(fakes):
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = _by_minute(lambda m: ERRORS if m >= 2 else healthy("", T0))
    watch, fake_time = _watch(fakes, canary)
    result = watch.run()
    assert result.outcome == "rolled_back" and result.final.revision == FIRST
    assert "5xx 2.00% > 0.50% over 60 s (10 of 500 requests)" in result.reason
    assert fakes.run.traffic_received()[-1] == [("REVISION", FIRST, 100)]
    assert (
        result.checks[-1].verdict == "breach" and fake_time.elapsed == 150
    )  # the first reading after the bad minute (12:02-12:03) ended


def test_a_latency_breach_rolls_back(fakes):
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = lambda revision, end: SLOW
    result = _watch(fakes, canary)[0].run()
    assert result.outcome == "rolled_back" and "p95" in result.reason and "> 700 ms over 300 s" in result.reason


def test_flapping_metrics_roll_back_on_the_first_bad_minute(fakes):
    """Healthy, bad, healthy again: the bad minute is not averaged away and the canary is not promoted."""
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = _by_minute(lambda m: ERRORS if m == 5 else healthy("", T0))
    result = _watch(fakes, canary)[0].run()
    assert result.outcome == "rolled_back"
    verdicts = [c.verdict for c in result.checks]
    assert verdicts[:4] == ["healthy"] * 4 and verdicts[-1] == "breach"
    assert fakes.run.calls("UpdateService") == 2  # the canary, then the rollback: never a promotion


def test_a_gap_in_the_data_restarts_the_healthy_window(fakes):
    canary = _canary(fakes)
    # six minutes without a sample: longer than the 3+1 minutes a reading looks back over with a 1 minute latency window
    fakes.monitoring.traffic["pv-api"] = _by_minute(lambda m: None if m in (3, 4, 5, 6, 7, 8) else healthy("", T0))
    watch, fake_time = _watch(fakes, canary, thresholds(latency_window=60))
    result = watch.run()
    assert result.outcome == "promoted"
    assert "blind" in [c.verdict for c in result.checks]
    assert fake_time.elapsed > 600  # the window started again after the gap


def test_data_that_stops_arriving_is_not_health_however_long_the_window(fakes):
    """Two healthy minutes, then nothing: with a 15 minute window they stay in every reading, but they
    are old news; the canary must not be promoted on them."""
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = _by_minute(lambda m: healthy("", T0) if m in (0, 1) else None)
    result = _watch(fakes, canary, thresholds(latency_window=900))[0].run()
    assert result.outcome == "rolled_back" and "never promoted blind" in result.reason
    stale = [c for c in result.checks if c.verdict == "blind" and c.reading is not None and c.reading.requests]
    assert stale and "old" in stale[0].reason
    assert fakes.run.traffic_received()[-1] == [("REVISION", FIRST, 100)]


def test_metrics_that_never_arrive_roll_back_after_max_blind(fakes):
    canary = _canary(fakes)  # no traffic profile: Monitoring has no series for the revision
    watch, fake_time = _watch(fakes, canary)
    result = watch.run()
    assert result.outcome == "rolled_back" and "never promoted blind" in result.reason
    assert fake_time.elapsed == 900 and {c.verdict for c in result.checks} == {"blind"}
    assert fakes.run.traffic_received()[-1] == [("REVISION", FIRST, 100)]


def test_histograms_that_cannot_be_merged_are_no_data_not_a_crash(fakes):
    """Minutes with different latency bucket layouts cannot be merged: no verdict from them, and no traceback
    that would leave the traffic split without a word."""
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = _by_minute(lambda m: Minute(ok=500, growth_factor=1.4 + (m % 2) / 10))
    result = _watch(fakes, canary, thresholds(max_blind=120))[0].run()
    assert result.outcome == "rolled_back" and "never promoted blind" in result.reason
    assert "latency histograms" in result.checks[0].reason


def test_too_few_requests_are_not_evidence(fakes):
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = lambda revision, end: THIN
    result = _watch(fakes, canary)[0].run()
    assert result.outcome == "rolled_back" and "fewer than the 50 needed" in result.reason


def test_monitoring_unavailable_counts_as_no_data_never_as_health(fakes):
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = healthy
    fakes.monitoring.faults.errors["ListTimeSeries"] = [grpc.StatusCode.UNAVAILABLE] * 10_000
    watch = _watch(fakes, canary, thresholds(max_blind=120))[0]
    watch.policy = CallPolicy(attempt_timeout=1.0, total_timeout=0.1, initial_backoff=0.01, max_backoff=0.02)
    result = watch.run()
    assert result.outcome == "rolled_back"
    assert "metrics unavailable" in result.reason and "unavailable" in result.checks[0].reason


def test_late_data_is_judged_by_its_newest_minutes(fakes):
    """Cloud Run samples show up to 3 minutes late: the newest visible minutes are judged, not an empty last minute."""
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = _by_minute(lambda m: ERRORS if m >= 0 else None)
    fakes.monitoring.visible_after = timedelta(seconds=150)
    watch, fake_time = _watch(fakes, canary)
    result = watch.run()
    assert result.outcome == "rolled_back" and "5xx 2.00%" in result.reason
    assert fake_time.elapsed >= 150


def test_ctrl_c_leaves_the_traffic_as_it_was(fakes):
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = healthy
    watch, fake_time = _watch(fakes, canary)

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    watch.sleep = interrupt
    with pytest.raises(CanaryInterrupted) as caught:
        watch.run()
    assert f"traffic left as it was (10% {canary.revision}, 90% {FIRST})" in caught.value.line()
    assert caught.value.exit_code == 130
    assert fakes.run.calls("UpdateService") == 1


def test_a_verdict_that_cannot_be_carried_out_says_both(fakes):
    canary = _canary(fakes)
    fakes.monitoring.traffic["pv-api"] = lambda revision, end: Minute(ok=90, errors=10)
    fakes.run.faults.denied["ListRevisions"] = "run.revisions.list"
    with pytest.raises(GcpError) as caught:
        _watch(fakes, canary)[0].run()
    line = caught.value.line()
    assert "5xx 10.00% > 0.50%" in line and "rollback failed" in line and "run.revisions.list" in line


def test_p95_from_a_histogram_interpolates_inside_its_bucket():
    h = histogram(1000, ((100.0, 0.95), (2000.0, 0.05)))
    bounds, counts = merge([h, h])
    p95 = percentile(bounds, counts, 0.95)
    assert 70 < p95 < 112  # inside the bucket that holds 100 ms (1.4^13 .. 1.4^14)
    assert percentile(bounds, counts, 0.99) > 1000


def test_a_reading_sums_series_across_response_classes(fakes):
    fakes.monitoring.traffic["pv-api"] = lambda revision, end: Minute(ok=300, errors=3)
    reading = read_revision(fakes.clients(), P, R, "pv-api", "pv-api-x", 60, 300, T0, FAST)
    assert (reading.requests, reading.errors_5xx, reading.error_ratio) == (303, 3, 3 / 303)
    assert reading.latency_requests == 303 * 5


# --- through the CLI -------------------------------------------------------------------------------------
FAST_WATCH = ("--interval", "0.01", "--healthy-for", "0.05")


def test_cli_watch_promotes_and_reports_json(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.monitoring.traffic["pv-api"] = healthy
    result = pvctl(
        "deploy", "--service", "app", "--image", NEW_IMAGE, "--canary", "10", "--watch", *FAST_WATCH, "--json"
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["outcome"] == "promoted" and doc["final"]["traffic"][0]["percent"] == 100
    assert doc["thresholds"]["error_ratio_max"] == 0.005
    assert "canary pv-api-" in result.err and "healthy" in result.err  # progress on stderr


def test_cli_watch_rolls_back_and_exits_1(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.monitoring.traffic["pv-api"] = lambda revision, end: ERRORS
    result = pvctl(
        "deploy",
        "--service",
        "api",
        "--image",
        NEW_IMAGE,
        "--canary",
        "10",
        "--watch",
        *FAST_WATCH,
        "--max-5xx-ratio",
        "0.05",
    )
    assert result.code == 0, result.err  # 2 % is under a 5 % limit given on the command line
    result = pvctl("deploy", "--service", "api", "--image", NEW_IMAGE + "-b", "--canary", "10", "--watch", *FAST_WATCH)
    assert result.code == 1
    assert "rolled back to" in result.out and "5xx 2.00% > 0.50%" in result.out and "BREACH" in result.err


def test_cli_watch_needs_a_canary_and_checks_access_before_deploying(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    assert pvctl("deploy", "--service", "api", "--image", NEW_IMAGE, "--watch").code == 4
    fakes.monitoring.faults.denied["ListTimeSeries"] = "monitoring.timeSeries.list"
    result = pvctl("deploy", "--service", "api", "--image", NEW_IMAGE, "--canary", "10", "--watch")
    assert result.code == 1 and "monitoring.timeSeries.list" in result.err
    assert fakes.run.calls("UpdateService") == 0  # nothing deployed without a way to watch it


def test_ctrl_c_in_a_real_process_leaves_the_split_and_says_so(fakes, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.monitoring.traffic["pv-api"] = healthy
    args = ["deploy", "--service", "api", "--image", NEW_IMAGE, "--canary", "20", "--watch", "--interval", "0.2"]
    result = interrupt_pvctl(repo, args, ready=lambda: fakes.monitoring.calls("ListTimeSeries") >= 5)
    assert result.code == 130, result.err
    assert "interrupted: traffic left as it was (20% pv-api-" in result.err and f"80% {FIRST})" in result.err
    assert "pvctl deploy --service api --promote" in result.err and "--service api --rollback" in result.err
    assert "Traceback" not in result.err
    assert fakes.run.calls("UpdateService") == 1


def test_help_shows_the_thresholds_of_the_phase_data(pvctl):
    """The defaults in --help are read from phases.toml [slo], not copied into the code by hand."""
    slo = slo_thresholds()
    text = " ".join(pvctl("deploy", "--help").out.split())
    for key in ("error_5xx_ratio_max", "latency_p95_ms_max", "canary_healthy_seconds", "canary_max_blind_seconds"):
        assert f"(default {slo[key]}, phases.toml [slo] {key})" in text
    assert f"(default {slo['rto_seconds']}, phases.toml [slo] rto_seconds)" in " ".join(
        pvctl("db", "restore-test", "--help").out.split()
    )
