"""Split values printed run together ("640020470" for 6 4 0 0 2 0 4 7 0) — only where the form allows
exactly one split.

A run-together row is the printed tokens of one row (a token is a string of digits, possibly with a
sign before it or a decimal part and unit after it, or a marker). A *split* cuts every token into one
or more consecutive values so that the row has as many values as columns, where every value

* has no leading zero ("0" itself is fine, "07" is not) and at most :data:`MAX_DIGITS` digits for
  its kind, and parses as its column's kind (a count, a signed change, an amount);

and the row's own identity holds (R3 along an applications row, R4–R6 along a section-四 row). The
rows of a table are then solved together with the identities down the columns (R1, R2), where every
other cell those need was read. A row whose split is unique among the joint solutions is
*recovered*; several → the number of candidates; none → no consistent split. An identity that a
fully-read part of the same document breaks (the report does not balance) is not used.

The search is exact and bounded: every split is enumerated with pruning on the row identity
(:data:`MAX_SPLITS` per row), and the joint search visits at most :data:`MAX_NODES` assignments —
beyond that the rows concerned are ambiguous, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from extractors import vocab
from extractors.identities import Identity, Key
from extractors.model import OK
from extractors.values import parse_value

MAX_DIGITS = {vocab.COUNT: 7, vocab.CHANGE: 5, vocab.AMOUNT: 9}
MAX_SPLITS = 200
MAX_NODES = 200_000

_TOKEN = re.compile(r"^(?P<prefix>[+\-]|增加?|减少?|新增)?(?P<digits>\d+)(?P<suffix>(?:\.\d+)?\s*(?:万元|万|元|亿元|件|个|项|次|条)?)$")


@dataclass(frozen=True)
class Token:
    text: str
    prefix: str = ""
    digits: str = ""
    suffix: str = ""

    @property
    def splittable(self) -> bool:
        return len(self.digits) > 1


def tokenize(texts: list[str]) -> list[Token]:
    out = []
    for t in texts:
        s = t.strip()
        m = _TOKEN.match(s)
        out.append(Token(s, m.group("prefix") or "", m.group("digits"), m.group("suffix") or "") if m else Token(s))
    return out


def splits(tokens: list[Token], kinds: list[str], check: Callable[[int, list], bool] | None = None,
           limit: int = MAX_SPLITS) -> list[tuple[tuple[str, ...], tuple]]:
    """Every split of `tokens` into ``len(kinds)`` values: (printed texts, values) pairs, at most
    `limit` (then the list is cut: callers treat ``len == limit`` as "at least that many").
    ``check(j, values)`` is called after the j-th value is chosen and prunes when it returns False."""
    n = len(kinds)
    out: list[tuple[tuple[str, ...], tuple]] = []
    # what the tokens after index t can still hold: at least one value each, at most one per digit
    min_after = [0] * (len(tokens) + 1)
    max_after = [0] * (len(tokens) + 1)
    for t in range(len(tokens) - 1, -1, -1):
        min_after[t] = min_after[t + 1] + 1
        max_after[t] = max_after[t + 1] + (len(tokens[t].digits) if tokens[t].splittable else 1)
    texts: list[str] = []
    values: list = []

    def go(t: int, pos: int, j: int) -> None:
        if len(out) >= limit:
            return
        if j == n:
            if t == len(tokens):
                out.append((tuple(texts), tuple(values)))
            return
        if t == len(tokens):
            return
        tok = tokens[t]
        if not tok.splittable:
            _emit(tok.text, t + 1, 0, j)
            return
        left = len(tok.digits) - pos
        for ln in range(1, min(left, MAX_DIGITS[kinds[j]]) + 1):
            part = tok.digits[pos:pos + ln]
            if ln > 1 and part[0] == "0":
                break
            rest = left - ln
            cols_left = n - j - 1
            if rest:
                if not (min_after[t + 1] + 1 <= cols_left <= max_after[t + 1] + rest):
                    continue
            elif not (min_after[t + 1] <= cols_left <= max_after[t + 1]):
                continue
            text = (tok.prefix if pos == 0 else "") + part + (tok.suffix if rest == 0 else "")
            _emit(text, t if rest else t + 1, pos + ln if rest else 0, j)

    def _emit(text: str, t: int, pos: int, j: int) -> None:
        p = parse_value(text, kinds[j])
        if p.status != OK or p.value is None:
            return
        texts.append(text)
        values.append(p.value)
        if check is None or check(j, values):
            go(t, pos, j + 1)
        texts.pop()
        values.pop()

    go(0, 0, 0)
    return out


# ------------------------------------------------------------------ a table's rows together

@dataclass
class Problem:
    """One run-together row: its printed texts and the cell keys of its columns, in print order."""

    texts: list[str]
    keys: list[Key]
    kinds: list[str]


@dataclass
class Outcome:
    status: str  # "recovered", "ambiguous" or "none"
    texts: tuple[str, ...] = ()
    values: tuple = ()
    candidates: int = 0  # ambiguous: how many splits remain consistent (a lower bound when capped)
    used: list[str] = field(default_factory=list)  # identities the recovery relied on ("digit count" alone: [])
    capped: bool = False


def solve(problems: list[Problem], known: dict[Key, int | None], ids: list[Identity],
          trusted: set[str]) -> list[Outcome]:
    """Solve a table's run-together rows together (see the module doc). ``known``: the other cells'
    values (None when not a number); ``trusted``: the rules that may be used."""
    ids = [i for i in ids if i.rule in trusted]
    local: list[list[tuple[tuple[str, ...], tuple]]] = []
    needed_local: list[list[str]] = []
    for p in problems:
        own = [i for i in ids if i.row_local and set(i.keys) <= set(p.keys)]
        free = splits(tokenize(p.texts), p.kinds, limit=2)
        cands = splits(tokenize(p.texts), p.kinds, _row_check(p, own)) if own else free
        local.append(cands)
        needed_local.append([i.label() for i in own] if len(free) > 1 else [])
    # identities across rows: usable when every cell is known or in one of the problems
    owner = {k: n for n, p in enumerate(problems) for k in p.keys}
    cross = [i for i in ids if not i.row_local and any(k in owner for k in i.keys)
             and all(k in owner or known.get(k) is not None for k in i.keys)]
    outcomes: list[Outcome | None] = [None] * len(problems)
    for comp in _components(len(problems), cross, owner):
        _solve_component(comp, problems, local, needed_local, known, cross, owner, outcomes)
    return [o if o is not None else Outcome("none") for o in outcomes]


def _row_check(p: Problem, own: list[Identity]) -> Callable[[int, list], bool]:
    """Prune a row's splits as soon as one of its identities has all its cells."""
    index = {k: j for j, k in enumerate(p.keys)}
    at: dict[int, list[Identity]] = {}
    for i in own:
        at.setdefault(max(index[k] for k in i.keys), []).append(i)

    def check(j: int, values: list) -> bool:
        for i in at.get(j, ()):
            if sum(values[index[k]] for k in i.lhs) != sum(values[index[k]] for k in i.rhs):
                return False
        return True

    return check


def _components(n: int, cross: list[Identity], owner: dict[Key, int]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in cross:
        members = sorted({owner[k] for k in i.keys if k in owner})
        for m in members[1:]:
            parent[find(m)] = find(members[0])
    comps: dict[int, list[int]] = {}
    for x in range(n):
        comps.setdefault(find(x), []).append(x)
    return list(comps.values())


def _solve_component(comp, problems, local, needed_local, known, cross, owner, outcomes) -> None:
    members = set(comp)
    ids = [i for i in cross if any(owner.get(k) in members for k in i.keys)]
    order = sorted(comp, key=lambda x: len(local[x]))
    # an identity is checked once the last of its rows is assigned
    pos = {x: n for n, x in enumerate(order)}
    due: dict[int, list[Identity]] = {}
    for i in ids:
        due.setdefault(max(pos[owner[k]] for k in i.keys if k in owner), []).append(i)
    supported: dict[int, set[int]] = {x: set() for x in comp}
    values: dict[Key, int] = {k: v for k, v in known.items() if v is not None}
    nodes = 0
    found = 0
    capped = False

    def go(d: int) -> None:
        nonlocal nodes, found, capped
        if capped:
            return
        if d == len(order):
            found += 1
            for x in order:
                supported[x].add(chosen[x])
            return
        x = order[d]
        for ci, (_, vals) in enumerate(local[x]):
            nodes += 1
            if nodes > MAX_NODES:
                capped = True
                return
            for k, v in zip(problems[x].keys, vals, strict=True):
                values[k] = v
            chosen[x] = ci
            if all(i.holds(values) for i in due.get(d, ())):
                go(d + 1)
        for k in problems[x].keys:
            values.pop(k, None)
            if known.get(k) is not None:
                values[k] = known[k]

    chosen: dict[int, int] = {}
    if all(local[x] for x in comp):
        go(0)
    for x in comp:
        cands = local[x]
        if not cands:
            outcomes[x] = Outcome("none")
            continue
        if capped:
            outcomes[x] = Outcome("ambiguous", candidates=len(cands), capped=True)
            continue
        if not ids:
            sup, used_cross = set(range(len(cands))), []
        else:
            # no joint solution: the identities down the columns exclude every split of these rows
            sup = supported[x]
            used_cross = [i.label() for i in ids if len(cands) > 1 and any(owner.get(k) == x for k in i.keys)]
        if not sup:
            outcomes[x] = Outcome("none")
            continue
        if len(sup) == 1 and len(cands) < MAX_SPLITS:
            texts, vals = cands[next(iter(sup))]
            outcomes[x] = Outcome("recovered", texts, vals, 1, needed_local[x] + used_cross)
        else:
            outcomes[x] = Outcome("ambiguous", candidates=len(sup), capped=capped or len(cands) >= MAX_SPLITS)
