"""The queue picker against RT 5 itself: the whole list, a Name LIKE search, and pages."""

from __future__ import annotations

from tests.support.rt_server import RTServer
from webapp.outbound.http import OutboundSettings
from webapp.trackers.rt import RT

SETTINGS = OutboundSettings(connect_timeout=5.0, read_timeout=30.0)
MAKE_QUEUES = r"""
use strict; use warnings;
use RT; RT::LoadConfig(); RT::Init();
for my $n (1 .. 22) {
    my $queue = RT::Queue->new(RT->SystemUser);
    $queue->Load(sprintf("Picker %02d", $n)) and next;
    my ($ok, $msg) = $queue->Create(
        Name => sprintf("Picker %02d", $n), Description => "for pickers");
    die "creating a queue failed: $msg\n" unless $ok;
}
"""


def client(server: RTServer):
    params = {"issue_tracker_server": server.host_port, "issue_tracker_method": "http"}
    return RT.client_class(RT, params, {"issue_tracker_api_token": server.token}, SETTINGS)


def test_queues_are_listed_searched_and_paged(rt_server: RTServer) -> None:
    rt_server.run_perl(MAKE_QUEUES)
    with client(rt_server) as rt:
        everything = rt.list_choices("queues", "", 1)
        assert "General" in [c.value for c in everything.choices]
        assert everything.has_next  # General and 22 more: over one page of 20
        found = rt.list_choices("queues", "picker", 1)
        assert [c.value for c in found.choices] == [f"Picker {n:02}" for n in range(1, 21)]
        assert found.choices[0].label == "Picker 01: for pickers" and found.has_next
        rest = rt.list_choices("queues", "picker", 2)
        assert [c.value for c in rest.choices] == ["Picker 21", "Picker 22"]
        assert not rest.has_next
