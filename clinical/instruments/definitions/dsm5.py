"""The 20 DSM-5 PTSD symptoms shared by PCL-5 and CAPS-5, in item order.

Labels are the project's own short words, not either instrument's wording.
Clusters: B 1-5, C 6-7, D 8-14, E 15-20 (CLINICAL.md s4).
"""

from clinical.instruments.model import Aggregate, ClusterRule, Subscale

SYMPTOM_LABELS: tuple[str, ...] = (
    "Intrusive memories",
    "Distressing dreams",
    "Flashbacks",
    "Upset by reminders",
    "Body reactions to reminders",
    "Avoids inner reminders",
    "Avoids outer reminders",
    "Gaps in memory of event",
    "Negative beliefs",
    "Blame of self or others",
    "Persistent negative feelings",
    "Lost interest",
    "Feeling cut off",
    "Trouble feeling positive",
    "Irritable or aggressive",
    "Reckless or self-harming",
    "Overly alert",
    "Easily startled",
    "Poor concentration",
    "Sleep problems",
)

# Cluster -> 1-based item numbers (CLINICAL.md s4, PCL-5 and CAPS-5 rows).
CLUSTERS: dict[str, range] = {
    "B": range(1, 6),
    "C": range(6, 8),
    "D": range(8, 15),
    "E": range(15, 21),
}

# DSM-5 rule: >= 1 B, >= 1 C, >= 2 D, >= 2 E symptoms (CLINICAL.md s4).
CLUSTER_MINIMUMS: dict[str, int] = {"B": 1, "C": 1, "D": 2, "E": 2}

# A symptom counts as present/endorsed at an item value >= 2 (CLINICAL.md s4).
ENDORSED_AT = 2


def cluster_subscales(prefix: str) -> tuple[Subscale, ...]:
    """Return the B/C/D/E sum subscales for item ids `<prefix>-<n>`."""
    return tuple(
        Subscale(
            id=cluster,
            label=f"Cluster {cluster}",
            item_ids=tuple(f"{prefix}-{n}" for n in numbers),
            aggregate=Aggregate.SUM,
        )
        for cluster, numbers in CLUSTERS.items()
    )


def cluster_rule(also_yes: tuple[str, ...] = ()) -> ClusterRule:
    """Return the DSM-5 cluster rule, optionally with extra yes/no criteria."""
    return ClusterRule(ENDORSED_AT, dict(CLUSTER_MINIMUMS), also_yes)
