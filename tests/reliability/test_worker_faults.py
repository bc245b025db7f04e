"""Faults injected into real worker processes: kill -9, concurrent workers, a stale
worker (SIGSTOP past its lease), warm and cold stops, resubmission while grading."""

from __future__ import annotations

import os
import signal
from collections import Counter

from tests.reliability.conftest import Cluster


def _starts(cluster: Cluster, tag: str) -> list[int]:
    return [e["pid"] for e in cluster.events() if e["tag"] == tag and e["event"] == "start"]


def _ends(cluster: Cluster, tag: str, events: tuple[str, ...] = ("end",)) -> list[int]:
    return [e["pid"] for e in cluster.events() if e["tag"] == tag and e["event"] in events]


def test_kill_9_mid_grade_is_regraded_once_by_another_worker(cluster: Cluster) -> None:
    aid = cluster.submit("# tag: victim\n# sleep: 1.5\n")
    first = cluster.start_worker()
    cluster.wait_for(lambda: _starts(cluster, "victim") == [first.pid])
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    assert cluster.attempt(aid).status == "running"  # the dead worker's lease is still held

    second = cluster.start_worker()
    cluster.wait_graded([aid], timeout=30)
    a = cluster.attempt(aid)
    assert a.status == "passed"
    assert a.tries == 2
    assert a.result is not None and a.result["stdout"] == f"pid={second.pid}"
    assert _starts(cluster, "victim") == [first.pid, second.pid]
    assert _ends(cluster, "victim") == [second.pid]  # graded to completion exactly once


def test_concurrent_workers_never_grade_the_same_attempt(cluster: Cluster) -> None:
    workers = [cluster.start_worker("--concurrency", "2") for _ in range(3)]
    # all three are polling before the work arrives, so they race for every claim
    cluster.wait_for(lambda: all("starting" in cluster.worker_log(w) for w in workers))
    ids = [cluster.submit(f"# tag: job-{i}\n# sleep: 0.1\n") for i in range(30)]
    cluster.wait_graded(ids, timeout=60)
    events = cluster.events()
    starts = Counter(e["tag"] for e in events if e["event"] == "start")
    ends = Counter(e["tag"] for e in events if e["event"] == "end")
    assert starts == Counter({f"job-{i}": 1 for i in range(30)})
    assert ends == starts
    for i in ids:
        a = cluster.attempt(i)
        assert a.status == "passed" and a.tries == 1, (i, a.status, a.tries)
    # the work was shared (three processes took part), not one worker doing everything
    assert len({e["pid"] for e in events}) >= 2
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        assert w.wait(15) == 0


def test_stale_worker_result_is_ignored(cluster: Cluster) -> None:
    aid = cluster.submit("# tag: slow\n# sleep: 2.0\n")
    stale = cluster.start_worker()
    cluster.wait_for(lambda: _starts(cluster, "slow") == [stale.pid])
    os.kill(stale.pid, signal.SIGSTOP)  # no heartbeat: the lease runs out

    fresh = cluster.start_worker()
    cluster.wait_for(lambda: _starts(cluster, "slow") == [stale.pid, fresh.pid], timeout=30)
    # Resumed, it either finishes and writes its late result (fenced off: "lease lost"), or
    # its heartbeat sees the lost lease first and kills the run ("lost its lease"); both
    # orders happen, and in neither is its result stored.
    os.kill(stale.pid, signal.SIGCONT)
    done = ("end", "cancelled")
    cluster.wait_for(lambda: stale.pid in _ends(cluster, "slow", done), timeout=15)
    cluster.wait_graded([aid], timeout=30)
    a = cluster.attempt(aid)
    assert a.result is not None and a.result["stdout"] == f"pid={fresh.pid}"
    assert a.tries == 2

    def stale_knows() -> bool:
        log = cluster.worker_log(stale)
        return "lease lost" in log or "lost its lease" in log

    cluster.wait_for(stale_knows, timeout=10)


def test_warm_stop_finishes_the_attempt_in_hand(cluster: Cluster) -> None:
    aid = cluster.submit("# tag: warm\n# sleep: 1.0\n")
    other = cluster.submit("# tag: later\n")
    w = cluster.start_worker()
    cluster.wait_for(lambda: _starts(cluster, "warm") == [w.pid])
    w.send_signal(signal.SIGTERM)
    assert w.wait(20) == 0
    a = cluster.attempt(aid)
    assert a.status == "passed" and a.tries == 1
    assert cluster.attempt(other).status == "queued"  # claimed nothing after the signal


def test_cold_stop_releases_the_lease(cluster: Cluster) -> None:
    aid = cluster.submit("# tag: cold\n# sleep: 30\n")
    w = cluster.start_worker()
    cluster.wait_for(lambda: _starts(cluster, "cold") == [w.pid])
    w.send_signal(signal.SIGTERM)
    cluster.wait_for(lambda: "warm stop" in cluster.worker_log(w), timeout=10)
    w.send_signal(signal.SIGTERM)
    w.wait(15)
    a = cluster.attempt(aid)
    assert a.status == "queued" and a.tries == 0 and a.worker_id is None


def test_resubmitting_while_an_attempt_runs(cluster: Cluster) -> None:
    first = cluster.submit("# tag: one\n# sleep: 1.0\n")
    w = cluster.start_worker()
    cluster.wait_for(lambda: _starts(cluster, "one") == [w.pid])
    second = cluster.submit("# tag: two\n# status: failed\n")
    cluster.wait_graded([first, second], timeout=30)
    assert cluster.attempt(first).status == "passed"
    assert cluster.attempt(second).status == "failed"
    assert _ends(cluster, "one") == [w.pid] and _ends(cluster, "two") == [w.pid]


def test_platform_fault_retried_at_most_three_times(cluster: Cluster) -> None:
    aid = cluster.submit("# tag: broken\n# raise: platform\n")
    cluster.start_worker("--concurrency", "2")
    cluster.wait_graded([aid], timeout=30)
    a = cluster.attempt(aid)
    assert a.status == "system_error" and a.tries == 3
    assert len(_starts(cluster, "broken")) == 3
    assert a.result is not None and "resubmit" in a.result["summary"].lower()


def test_burst_and_max_jobs(cluster: Cluster) -> None:
    ids = [cluster.submit(f"# tag: b{i}\n") for i in range(3)]
    w = cluster.start_worker("--burst", "--max-jobs", "2")
    assert w.wait(30) == 0
    assert sorted(cluster.statuses().values()) == ["passed", "passed", "queued"]
    w2 = cluster.start_worker("--burst")
    assert w2.wait(30) == 0
    assert all(cluster.attempt(i).status == "passed" for i in ids)


def test_hung_grade_lease_lapses_after_job_timeout(cluster: Cluster) -> None:
    aid = cluster.submit("# tag: hung\n# sleep: 4\n")
    stuck = cluster.start_worker(JAXDOJO_JOB_TIMEOUT_S="1")
    cluster.wait_for(lambda: _starts(cluster, "hung") == [stuck.pid])
    rescuer = cluster.start_worker()
    cluster.wait_graded([aid], timeout=30)
    a = cluster.attempt(aid)
    assert a.tries == 2 and a.result is not None
    assert a.result["stdout"] == f"pid={rescuer.pid}"  # the hung worker's late write lost
    assert "job_timeout_s" in cluster.worker_log(stuck)
