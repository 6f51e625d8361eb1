"""The C kernels an opcode's lowering can pick, read from the lowering's own source (for README's table).

A lowering names its kernel in code (`"tg_softmax_s8"`, `f"tg_{kind}_s8"` with `kind = op.opcode.lower()`,
`f"tg_{family}_s4"` in a helper called with `"conv"`), so no registry lists them. This reads the function
LOWERINGS maps the opcode to, and every function of tinygen.lower or tinygen.kernels it calls, and
evaluates the string expressions that only depend on the opcode and on constant arguments (a lookup in a
module's dict of names counts every entry). A test the
operator's data decides (`if w.dtype == "int4"`) keeps both branches: the result is every kernel the
lowering can pick for that opcode, whatever the model. A `tg_` f-string it cannot evaluate is an error,
so a new way of naming kernels is noticed rather than left out of the table.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
from collections.abc import Callable
from typing import Any

from tinygen.lower import LOWERINGS

KERNEL = re.compile(r"tg_[a-z0-9_]+")
_READ = ("tinygen.lower", "tinygen.kernels")  # the packages whose functions are followed
Values = frozenset[str] | None  # the strings an expression can be; None: not known


class _Reader:
    """One opcode's walk: the kernel names found and the functions already read with the same arguments."""

    def __init__(self, opcode: str) -> None:
        self.opcode = opcode
        self.found: set[str] = set()
        self.where = ""  # the function being read, for the error message
        self.names: dict[str, Any] = {}  # its module's globals, for tables of names
        self.read: set[tuple[Callable[..., Any], tuple[tuple[str, frozenset[str]], ...]]] = set()

    def function(self, fn: Callable[..., Any], bound: dict[str, frozenset[str]]) -> None:
        fn = inspect.unwrap(fn)
        key = (fn, tuple(sorted(bound.items())))
        if key in self.read:
            return
        self.read.add(key)
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        node = tree.body[0]
        assert isinstance(node, ast.FunctionDef)
        outer = self.where, self.names
        self.where, self.names = f"{inspect.getsourcefile(fn)}:{fn.__code__.co_firstlineno}", fn.__globals__
        self.block(node.body, dict(bound), fn.__globals__)
        self.where, self.names = outer

    def block(self, body: list[ast.stmt], env: dict[str, frozenset[str]], names: dict[str, Any]) -> bool:
        """Walk `body` in order; True when it always returns (what follows it is not reached)."""
        for stmt in body:
            if isinstance(stmt, ast.If):
                self.scan(stmt.test, env, names)
                truth = self.truth(stmt.test, env)
                returns = [self.block(branch, env, names) for branch, taken in ((stmt.body, True), (stmt.orelse, False))
                           if truth in (None, taken)]
                if all(returns):
                    return True
                continue
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.scan(child, env, names)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                value = self.values(stmt.value, env)
                if value is None:
                    env.pop(stmt.targets[0].id, None)
                else:
                    env[stmt.targets[0].id] = value
            for field in ("body", "orelse", "finalbody", "handlers"):
                nested = getattr(stmt, field, None)
                if isinstance(nested, list) and not isinstance(stmt, ast.FunctionDef):
                    self.block([s for s in nested if isinstance(s, ast.stmt)], env, names)
            if isinstance(stmt, ast.Return | ast.Raise):
                return True
        return False

    def scan(self, node: ast.expr, env: dict[str, frozenset[str]], names: dict[str, Any]) -> None:
        """Collect the kernel names `node` can evaluate to, and those of the functions it calls."""
        if isinstance(node, ast.IfExp):
            self.scan(node.test, env, names)
            truth = self.truth(node.test, env)
            for branch, taken in ((node.body, True), (node.orelse, False)):
                if truth in (None, taken):
                    self.scan(branch, env, names)
            return
        if isinstance(node, ast.JoinedStr | ast.Constant | ast.Subscript):
            value = self.values(node, env)
            if value is not None and all(KERNEL.fullmatch(v) for v in value):
                self.found |= value
            elif value is None and isinstance(node, ast.JoinedStr) and self._starts_tg(node):
                raise ValueError(f"{self.where}: cannot read the kernel name {ast.unparse(node)} for {self.opcode}")
            if not isinstance(node, ast.Subscript):
                return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            callee = names.get(node.func.id)
            if callable(callee) and inspect.isfunction(inspect.unwrap(callee)) and callee.__module__.startswith(_READ):
                self.function(callee, self.arguments(callee, node, env))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.scan(child, env, names)

    def arguments(self, fn: Callable[..., Any], call: ast.Call, env: dict[str, frozenset[str]]
                  ) -> dict[str, frozenset[str]]:
        """The callee's parameters whose arguments are known strings."""
        params = list(inspect.signature(fn).parameters)
        pairs = [*zip(params, call.args, strict=False), *((k.arg, k.value) for k in call.keywords if k.arg)]
        bound = {name: self.values(arg, env) for name, arg in pairs}
        return {name: value for name, value in bound.items() if value is not None}

    def values(self, node: ast.expr, env: dict[str, frozenset[str]]) -> Values:
        if isinstance(node, ast.Constant):
            return frozenset({node.value}) if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr == "opcode" and isinstance(node.value, ast.Name):
            return frozenset({self.opcode})
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):  # a module's table of names
            table = self.names.get(node.value.id)
            if isinstance(table, dict) and table and all(isinstance(v, str) for v in table.values()):
                return frozenset(table.values())  # whichever entry the data picks
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("lower", "upper"):
            inner = self.values(node.func.value, env)
            return None if inner is None else frozenset(getattr(v, node.func.attr)() for v in inner)
        if isinstance(node, ast.IfExp):
            truth = self.truth(node.test, env)
            branches = [b for b, taken in ((node.body, True), (node.orelse, False)) if truth in (None, taken)]
            options = [self.values(b, env) for b in branches]
            return None if any(o is None for o in options) else frozenset().union(*options)  # type: ignore[arg-type]
        if isinstance(node, ast.JoinedStr | ast.BinOp):
            parts = node.values if isinstance(node, ast.JoinedStr) else [node.left, node.right]
            if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Add):
                return None
            pieces = [self.values(p.value if isinstance(p, ast.FormattedValue) else p, env) for p in parts]
            if any(p is None for p in pieces):
                return None
            return frozenset("".join(combo) for combo in itertools.product(*pieces))  # type: ignore[arg-type]
        return None

    def truth(self, test: ast.expr, env: dict[str, frozenset[str]]) -> bool | None:
        """The test's value when the opcode and known strings decide it, else None."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.truth(test.operand, env)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            parts = [self.truth(v, env) for v in test.values]
            decisive = isinstance(test.op, ast.Or)  # True decides an `or`, False an `and`
            if decisive in parts:
                return decisive
            return None if None in parts else not decisive
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return None
        left, right, op = self.values(test.left, env), test.comparators[0], test.ops[0]
        if isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.Tuple | ast.List | ast.Set | ast.Name):
            if isinstance(right, ast.Name):  # a module's set of names (or dict keyed by them)
                known = self.names.get(right.id)
                options = [frozenset(known)] if isinstance(known, frozenset | set | tuple | dict) else [None]
            else:
                options = [self.values(e, env) for e in right.elts]
            if left is None or any(o is None for o in options):
                return None
            members = frozenset().union(*options)  # type: ignore[arg-type]
            outcomes = {(v in members) == isinstance(op, ast.In) for v in left}
        elif isinstance(op, ast.Eq | ast.NotEq):
            other = self.values(right, env)
            if left is None or other is None:
                return None
            outcomes = {(a == b) == isinstance(op, ast.Eq) for a in left for b in other}
        else:
            return None
        return outcomes.pop() if len(outcomes) == 1 else None

    @staticmethod
    def _starts_tg(node: ast.JoinedStr) -> bool:
        first = node.values[0] if node.values else None
        return isinstance(first, ast.Constant) and str(first.value).startswith("tg_")


def read_kernels(lowering: Callable[..., Any], opcode: str) -> frozenset[str]:
    """Every C kernel `lowering` can pick for an operator `opcode`, from its source."""
    reader = _Reader(opcode)
    reader.function(lowering, {})
    return frozenset(reader.found)


def lowered_kernels(opcode: str) -> frozenset[str]:
    """Every C kernel LOWERINGS[opcode] can pick (before the specialise stage)."""
    return read_kernels(LOWERINGS[opcode], opcode)
