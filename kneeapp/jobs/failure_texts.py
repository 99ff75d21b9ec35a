"""Runner-facing sentences stored with failed jobs (``analysis_jobs.error_message``).

The lead's actions may show ``error_message`` as it is, or choose their own wording from
``error_code`` (docs/video_flow.md, "Jobs").
"""

from __future__ import annotations

UNREADABLE = ("We could not read this video. Please send it again as an MP4, MOV or WebM "
              "file straight from your phone's camera.")
TIMEOUT = ("The analysis took too long and was stopped. A shorter clip of 10 to 30 seconds "
           "usually works.")
MEMORY = ("The video needed more memory than the analysis may use. A shorter clip, or one "
          "filmed at 1080p or less, should work.")
CRASHED = ("The analysis stopped unexpectedly. Please try again with a shorter clip, or "
           "carry on without the video.")
WORKER_LOST = ("The analysis was interrupted twice and could not be finished. Please send "
               "the video again a little later, or carry on without it.")
QUEUE_DOWN = ("The video analysis service is not available right now. Please try again in a "
              "few minutes, or carry on without the video.")
VIDEO_MISSING = ("The video is no longer stored, so it could not be analysed. Please send it "
                 "again.")
PROBE_FAILED = ("We could not check this video. Please send it again as an MP4, MOV or WebM "
                "file straight from your phone's camera.")
