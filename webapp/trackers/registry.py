"""The registry of issue-tracker systems: built-ins and plugins, found the same way.

Every system, built-in or third-party, is an entry point in the ``connector_desk.systems``
group pointing at a ``System`` (or a zero-argument callable returning one): Connector
Desk's own are declared in its ``pyproject.toml`` and point into ``webapp.trackers``.
A broken plugin must not take the app down, so loading problems are logged and the
plugin is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.metadata import EntryPoint, entry_points

from webapp.trackers.system import System

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "connector_desk.systems"
#: Entry points into this package are the built-in systems (listed in pyproject.toml).
BUILTIN_MODULES = "webapp.trackers."


def is_builtin(entry_point: EntryPoint) -> bool:
    """Whether ``entry_point`` is one of the systems shipped with Connector Desk."""
    return entry_point.value.startswith(BUILTIN_MODULES)


class UnknownSystem(KeyError):
    """Raised for a system id nobody registered; ``known`` lists the valid ids."""

    def __init__(self, system_id: str, known: list[str]) -> None:
        super().__init__(system_id)
        self.system_id = system_id
        self.known = known

    def __str__(self) -> str:
        return f"Unknown system {self.system_id!r}; known systems: {', '.join(self.known)}."


class SystemRegistry:
    """Systems by id; iteration is sorted by display name, as forms list them."""

    def __init__(self) -> None:
        self._systems: dict[str, System] = {}

    def register(self, system: System) -> System:
        """Add ``system``; a second system with the same id is a ValueError."""
        if not isinstance(system, System):
            raise TypeError(f"Expected a System, got {type(system).__name__}.")
        if system.id in self._systems:
            raise ValueError(f"A system with id {system.id!r} is already registered.")
        self._systems[system.id] = system
        return system

    def get(self, system_id: str) -> System:
        """The system called ``system_id``, or ``UnknownSystem``."""
        try:
            return self._systems[system_id]
        except KeyError:
            raise UnknownSystem(system_id, self.ids()) from None

    def all(self) -> list[System]:
        """Every registered system, sorted by name."""
        return sorted(self._systems.values(), key=lambda system: system.name.casefold())

    def ids(self) -> list[str]:
        """Registered ids, in the same order as ``all()``."""
        return [system.id for system in self.all()]

    def __iter__(self) -> Iterator[System]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._systems)

    def __contains__(self, system_id: object) -> bool:
        return system_id in self._systems

    def load_entry_points(
        self, group: str = ENTRY_POINT_GROUP, *, builtin_only: bool = False
    ) -> list[System]:
        """Register every system of ``group`` (or only the built-in ones); return those added.

        Anything a plugin does wrong (import error, exception, wrong type,
        duplicate id) is logged as a warning naming the entry point and skipped.
        """
        loaded: list[System] = []
        for entry_point in entry_points(group=group):
            if builtin_only and not is_builtin(entry_point):
                continue
            try:
                obj = entry_point.load()
                system = obj if isinstance(obj, System) else obj() if callable(obj) else obj
                if not isinstance(system, System):
                    raise TypeError(f"expected a System, got {type(system).__name__}")
                self.register(system)
            except Exception as exc:  # third-party code may raise anything; logged below
                if is_builtin(entry_point):
                    raise  # a broken built-in is our bug: fail loudly, at start
                logger.warning(
                    "Skipping systems plugin %r (%s): %s",
                    entry_point.name,
                    entry_point.value,
                    exc,
                    exc_info=True,
                )
                continue
            loaded.append(system)
        return loaded


def build_registry(load_plugins: bool = True) -> SystemRegistry:
    """A registry with the built-in systems and, unless disabled, installed plugins."""
    registry = SystemRegistry()
    registry.load_entry_points(builtin_only=not load_plugins)
    if not len(registry):
        logger.error(
            "No issue-tracker systems are registered: Connector Desk's own entry points are "
            "missing. Install the package (pip install -e .) rather than running its folder."
        )
    return registry


def builtin_systems() -> tuple[System, ...]:
    """The systems shipped with Connector Desk, sorted by name."""
    return tuple(build_registry(load_plugins=False))
