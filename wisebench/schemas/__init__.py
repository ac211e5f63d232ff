"""Versioned JSON Schemas for the run folder: run.json (`run.v1.schema.json`) and each line of records.jsonl
(`record.v1.schema.json`). `wisebench.schemas.validate` loads them and turns violations into messages."""
