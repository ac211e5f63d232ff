"""Text-reasoning suites (`lm-eval:TASK`): lm-eval builds and scores the requests, wisebench generates, counts
reasoning cost, flags truncated chains and resumes, writing the same records and summary as the segmentation suites."""
