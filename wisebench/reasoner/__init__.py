"""The two-stage pipeline most published systems share: a multimodal LLM (Qwen2.5-VL) reasons in text and answers
with boxes and points; a frozen segmenter (SAM2) draws the mask. Specs (spec.py) make each system a few lines."""
