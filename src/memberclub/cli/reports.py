"""Human-readable summaries shared by several commands."""

from typing import Any


def import_summary(result: dict[str, Any]) -> str:
    """Counts of an import, then one line per rejected row."""
    lines = [
        f"created {result['created']}, updated {result['updated']}, "
        f"unchanged {result['unchanged']}, rejected {len(result['rejected'])}"
    ]
    lines += [f"  line {item['line']}: {item['reason']}" for item in result["rejected"]]
    return "\n".join(lines)
