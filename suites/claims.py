"""Cross-process exclusivity in a run directory: per-job claims and a lock for shared files.

Two runs of the same suite may write into the same run directory at once (two terminals, a
rerun started before the first one ended). Each job is run only by the process that holds its
claim, ``<run-dir>/claims/<job-id>.lock``: an exclusive POSIX record lock (``fcntl.lockf``)
on that file. The operating system drops the lock when its process dies, however it dies
(SIGKILL included), so a claim left behind by a killed run never blocks the next one; a
lock file nobody holds is simply taken over. Record locks are not inherited by forked worker
processes, and they work on local disks and on NFS with a lock manager.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLAIMS_DIR = "claims"
_BUSY = (errno.EACCES, errno.EAGAIN)


class JobClaim:
    """This process's claim on one job; :meth:`release` it once the job's record is written."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        """Give the job up (the lock file is removed first, then the lock dropped)."""
        if self._fd is None:
            return
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None


def claim_job(run_dir: str | os.PathLike, job_id: str, owner: str) -> JobClaim | None:
    """Claim job ``job_id`` of ``run_dir`` for this process; ``None`` if a live process has it.

    ``owner`` (e.g. ``host:pid``) is written into the lock file for people looking at it.
    """
    path = Path(run_dir) / CLAIMS_DIR / f"{job_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in _BUSY:
                return None
            raise
        # the holder may have released (removed the file) between our open and our lock:
        # then we locked a file nobody else will look at, and must take the new one
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        mine = os.fstat(fd)
        if current is not None and (current.st_ino, current.st_dev) == (mine.st_ino, mine.st_dev):
            break
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, owner.encode())
    return JobClaim(path, fd)


@contextmanager
def exclusive(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of ``path`` by concurrent runs.

    The lock is on a hidden sidecar file (``.<name>.lock``) that stays in place.
    """
    path = Path(path)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
