"""``make loadtest``'s CPU per request: gunicorn's master and every worker, the recycled ones
included (loadtests/run.py, ``server_cpu_seconds``)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loadtests.run import server_cpu_seconds

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"


def own_and_reaped() -> tuple[float, float]:
    times = os.times()
    return times.user + times.system, times.children_user + times.children_system


def test_a_reaped_worker_counts():
    """A worker that max_requests recycled has exited: its time is in the master's."""
    subprocess.run([sys.executable, "-c", BURN], check=True)
    own, reaped = own_and_reaped()
    assert reaped >= 0.25
    assert server_cpu_seconds(os.getpid()) >= own + reaped - 0.02  # + any live child's


def test_a_live_worker_counts():
    live = subprocess.Popen([sys.executable, "-c", BURN + "time.sleep(30)"])
    try:
        stat = Path(f"/proc/{live.pid}/stat")
        deadline = time.monotonic() + 20
        burned = 0.28 * os.sysconf("SC_CLK_TCK")  # in clock ticks, as /proc counts
        while sum(int(v) for v in stat.read_text().rsplit(")", 1)[1].split()[11:13]) < burned:
            assert time.monotonic() < deadline
            time.sleep(0.05)  # until it has burned its 0.3 s
        own, reaped = own_and_reaped()
        assert server_cpu_seconds(os.getpid()) - own - reaped >= 0.25
    finally:
        live.kill()
        live.wait()


def test_no_such_process_gives_none():
    assert server_cpu_seconds(2**22 + 1) is None
