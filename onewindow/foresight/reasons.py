"""The main reasons for a case's risk, in words a reviewer reads in the inbox (issue 22:
"此步骤平均用时 4.2 个工作日，剩余 2 个工作日；本科室在办 38 件").

A reason is a feature whose contribution raised the case's log-odds of closing late most; each
sentence quotes the figures behind it — the case's own and the history's."""

import numpy as np

from onewindow.foresight.features import CaseSet, Snapshots

# How many reasons a case shows, and the least a contribution (log-odds) must add to be one.
MOST = 3
LEAST = 0.05


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def sentence(key: str, f: dict, rates: dict) -> str:
    overall = _pct(rates.get("overall", 0.0))
    if key == "behind":
        left = (
            f"剩余 {f['remaining']} 个工作日"
            if f["remaining"] >= 0
            else f"已超出办结期限 {-f['remaining']} 个工作日"
        )
        if f["behind"] > 0:
            return f"「{f['step']}」环节已超出环节时限 {f['behind']} 个工作日，{left}"
        return f"「{f['step']}」环节已用 {f['elapsed']} 个工作日，{left}"
    if key == "remaining":
        if f["remaining"] < 0:
            return f"已超出办结期限 {-f['remaining']} 个工作日"
        return f"距办结期限仅剩 {f['remaining']} 个工作日"
    if key == "elapsed":
        return f"已在「{f['step']}」环节 {f['elapsed']} 个工作日"
    if key == "per_reviewer":
        return f"本科室在办 {f['dept_open']} 件（人均 {f['per_reviewer']:.1f} 件）"
    if key == "paused":
        return f"已暂停计时 {f['paused']} 个工作日"
    if key == "holiday":
        return f"办结期限前逢长假（{f['holiday_in']} 个工作日后放假）"
    if key == "department":
        rate = rates.get("department", {}).get(str(f["department"]), 0.0)
        return f"{f['department_name']}近期在办件最终逾期 {_pct(rate)}（全中心 {overall}）"
    if key == "step":
        rate = rates.get("step", {}).get(f"{f['item']}:{f['step']}", 0.0)
        return (f"此步骤「{f['step']}」平均用时 {f['step_mean']:.1f} 个工作日，剩余 {f['remaining']} 个工作日；"
                f"处于此步骤的办件最终逾期 {_pct(rate)}（全中心 {overall}）")  # fmt: skip
    if key == "item":
        rate = rates.get("item", {}).get(str(f["item"]), 0.0)
        return f"该事项近期在办件最终逾期 {_pct(rate)}（全中心 {overall}）"
    return key


def top(contrib: np.ndarray, keys: list[str], most: int = MOST) -> list[list[str]]:
    """Per row, the keys of its largest positive contributions (at most `most`, each ≥ LEAST)."""
    order = np.argsort(-contrib, axis=1)[:, :most]
    picked = np.take_along_axis(contrib, order, axis=1)
    names = np.array(keys, dtype=object)[order]
    return [list(n[v >= LEAST]) for n, v in zip(names, picked, strict=True)]


def told(keys: list[str], f: dict, rates: dict) -> list[dict]:
    """The sentences of a row's reasons, at most MOST. A department, step or item whose own late
    share is not above the hall's is left out even where the model weighs it (given the rest, it
    may still add risk): "逾期 13%（全中心 16%）" would read as a contradiction."""
    out: list[dict] = []
    for key in keys:
        said = {r["key"] for r in out}
        if key in ("elapsed", "remaining") and "behind" in keys:
            continue  # "「审查」环节已用 3 个工作日，剩余 2 个工作日" says both
        if key in ("department", "step", "item"):
            level = str(f["department"]) if key == "department" else str(f["item"])
            level = f"{f['item']}:{f['step']}" if key == "step" else level
            if rates.get(key, {}).get(level, 0.0) <= rates.get("overall", 0.0):
                continue
        text = sentence(key, f, rates)
        if key == "step" and "behind" in said:  # the days left were told with the step's own
            text = text.replace(f"，剩余 {f['remaining']} 个工作日；", "；")
        out.append({"key": key, "text": text})
        if len(out) == MOST:
            break
    return out


def figures(snap: Snapshots, cs: CaseSet, department_names: dict[int, str]) -> list[dict]:
    """The figures each row's sentences may quote (plain numbers, JSON)."""
    names = np.array(cs.names + [""], dtype=object)[snap.step]
    num = snap.numeric
    return [
        {
            "step": str(names[i]),
            "step_mean": round(float(snap.step_mean[i]), 1),
            "remaining": int(num["remaining"][i]),
            "elapsed": int(num["elapsed"][i]),
            "behind": int(num["behind"][i]),
            "dept_open": int(snap.dept_open[i]),
            "per_reviewer": round(float(num["per_reviewer"][i]), 1),
            "paused": int(num["paused"][i]),
            "holiday_in": int(snap.holiday_in[i]),
            "department": int(cs.department[snap.case[i]]),
            "department_name": department_names.get(int(cs.department[snap.case[i]]), "本科室"),
            "item": int(cs.item[snap.case[i]]),
        }
        for i in range(len(snap))
    ]
