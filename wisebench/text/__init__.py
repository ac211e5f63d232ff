"""Text-reasoning suites (`lm-eval:TASK`): lm-eval builds and scores the requests, wisebench generates, counts
reasoning cost, flags truncated chains and resumes, writing the same records and summary as the segmentation suites."""

# The protocol name of text runs (records' scores, run.json, the summary). Here, import-free, so the board and the
# app can name it without importing the text stack.
TEXT_PROTOCOL = "lm-eval"
