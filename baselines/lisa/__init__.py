"""LISA (dvlab-research/LISA): a LLaVA-style multimodal LLM whose [SEG] hidden state prompts SAM's mask decoder.

prompts: the validation questions and llava_v1 conversation; preprocess: the CLIP and SAM views of an image;
checkpoint: the released layout and the strict parameter-name mapping; model: the network; adapter: `lisa`.
Nothing heavy is imported here: `wisebench list` stays torch-free."""
