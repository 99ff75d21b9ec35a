"""Second pose process: ``python -m analysis_core._pose_process`` (started by ``pose_run``).

Reads its job (a pickled dict) from the file named on its command line, analyses its frame
range with its own MediaPipe graph and writes the pickled ``pose_run.Segment`` to stdout. It
stops by itself when the process that started it is gone.
"""

from __future__ import annotations

import pickle
import sys
import time


def main() -> int:
    """Run one job; exit code 0 on success."""
    with open(sys.argv[1], "rb") as fh:
        job = pickle.load(fh)  # written by our parent
    from analysis_core.pose import MediaPipePose
    from analysis_core.pose_run import pose_segment

    seconds_left = job.get("seconds_left")
    deadline = None if seconds_left is None else time.monotonic() + float(seconds_left)
    estimator = MediaPipePose()
    try:
        seg = pose_segment(job["video_path"], job["fps"], job["stride"], job["start"],
                           job["stop"], estimator, deadline, job["people_at"], job["verify"],
                           seek=True, parent_pid=job["parent_pid"],
                           decoder_threads=job.get("decoder_threads", 0))
    finally:
        estimator.close()
    sys.stdout.buffer.write(pickle.dumps(seg, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
