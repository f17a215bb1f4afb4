"""The shipped alert rules are valid YAML and only name metrics the app really exports."""

from __future__ import annotations

import re

import yaml

from mentorhub.observability import record_delivery
from tests.support.servers import ROOT

RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
EXPECTED = {
    "MentorHubWorkerNotSeen",
    "MentorHubNotificationsStuck",
    "MentorHubNotificationsFailing",
    "MentorHubRateLimiterOnFallback",
    "MentorHubHigh5xxRatio",
}


def test_every_alert_names_an_exported_metric(client):
    groups = yaml.safe_load(RULES.read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert {rule["alert"] for rule in rules} >= EXPECTED
    # Counters whose series appear only once something happened: make them appear.
    record_delivery("failed", "welcome", "email", notification_id=0)
    client.get("/api/v1/stats/platform")
    page = client.get("/metrics").get_data(as_text=True)
    exported = set(re.findall(r"^# TYPE (\S+) ", page, flags=re.MULTILINE))
    exported |= {f"{name}_total" for name in exported}
    for rule in rules:
        for name in re.findall(r"mentorhub_[a-z_]+", rule["expr"]):
            assert name in exported, (rule["alert"], name)
