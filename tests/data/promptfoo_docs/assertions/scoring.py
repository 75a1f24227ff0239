# A custom scoring function in Python (promptfoo's default function name is `func`).
def func(named_scores, context):
    score = min(named_scores.values()) if named_scores else 0
    return {
        "pass": score > 0,
        "score": score,
        "reason": f"min of {len(context['componentResults'])}",
    }
