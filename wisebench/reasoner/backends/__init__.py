"""Optional reasoner backends that need heavy extras (imported lazily, only when selected): `vllm_backend`."""
