"""LISA's tokenizer: the ids transformers 4.31's slow LlamaTokenizer gave, rebuilt on sentencepiece alone.

Why not transformers: LISA loads its tokenizer with use_fast=False (train_ds.py:119-125, chat.py:71-77,
merge_lora_weights_and_save_hf_model.py:63-69) under transformers==4.31.0 (requirements.txt). The fast tokenizer keeps
a "▁" before <im_start> and [SEG] and a "▁" + "<0x0A>" after <im_end>, so the ids and the state that predicts [SEG]
differ; transformers >= 4.34 changed the slow path too (added tokens became AddedToken(lstrip=False, rstrip=False): a
"▁" before [SEG], LISA issue #55), and transformers 5 has no slow LlamaTokenizer left. So the 4.31 rules are written
out here, and pinned by tests/test_lisa_tokenizer.py against a SentencePiece model built in the test.

transformers 4.31.0 facts (file:line in that wheel):
- tokenization_utils.py:481-549 tokenize(): the text is split on the "no split" tokens (added tokens and special
  tokens; a Trie, longest match: no token here is a prefix of another, so a regex alternation splits the same). Around
  a no-split token that is not an AddedToken among the special tokens, whitespace is stripped on both sides ("We strip
  left and right by default", :533-537): "USER: <im_start>" -> "USER:" + <im_start>, "<im_end>\\n What" -> <im_end> +
  "What", "ASSISTANT: [SEG]." -> "ASSISTANT:" + [SEG] + ".". An AddedToken special token (<s>, </s>, <unk>: LlamaTokenizer
  wraps them, tokenization_llama.py:118-121) strips only as its lstrip/rstrip say (False for LLaMA).
- tokenization_llama.py:169-196: legacy (the default, :114; LISA's saved tokenizer_config.json has no "legacy" key):
  each piece of text is sp_model.encode()-d on its own, so each gets sentencepiece's dummy "▁" prefix ("." after
  [SEG] -> "▁."); legacy=False prefixes "▁" once and drops it from pieces that follow a split token.
- tokenization_utils_base.py:2034-2074: added tokens come from added_tokens.json, sorted by id, and must be
  consecutive from the sentencepiece vocabulary size; :2077 sanitize_special_tokens adds the special tokens to the
  no-split set. tokenization_llama.py:253-262: BOS prepended (add_bos_token, default True), no EOS.
- tokenization_utils.py _decode: added tokens are decoded on their own and the parts joined with " "
  (spaces_between_special_tokens=True); special ids dropped with skip_special_tokens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wisebench.errors import WisebenchError

SPIECE_UNDERLINE = "▁"
SPECIAL_ATTRIBUTES = ("bos_token", "eos_token", "unk_token", "pad_token")  # LLaMA's; 4.31 order: bos, eos, unk, pad
KIND = "sentencepiece, transformers 4.31 slow LlamaTokenizer rules (LISA's use_fast=False)"


class TokenizerFilesError(WisebenchError):
    """The tokenizer folder does not hold what LISA's slow tokenizer needs."""


@dataclass(frozen=True)
class StripRule:
    """How a no-split token treats the whitespace next to it (4.31: both sides unless it is an AddedToken)."""

    left: bool = True
    right: bool = True


def _special_value(value: Any) -> tuple[str | None, StripRule | None]:
    """A special-token entry of tokenizer_config.json or special_tokens_map.json: its text, and its strip rule when it
    loads as an AddedToken (a dict); None for a plain string, which 4.31 strips on both sides."""
    if isinstance(value, dict):
        return str(value["content"]), StripRule(left=bool(value.get("lstrip", False)), right=bool(value.get("rstrip", False)))
    return (None, None) if value is None else (str(value), None)


class LisaTokenizer:
    """encode / decode with 4.31's slow LlamaTokenizer ids; the names tokenize_with_image and the adapter use."""

    kind = KIND

    def __init__(self, processor: Any, added_tokens: dict[str, int], special_tokens: dict[str, str], strip_rules: dict[str, StripRule], add_bos_token: bool = True, legacy: bool = True, clean_up_tokenization_spaces: bool = False):
        self.processor = processor
        self.added_tokens = dict(added_tokens)
        self.added_by_id = {index: token for token, index in added_tokens.items()}
        self.special_tokens = dict(special_tokens)  # attribute (bos_token ...) -> text
        self.add_bos_token = add_bos_token
        self.legacy = legacy
        self.clean_up_tokenization_spaces = clean_up_tokenization_spaces
        no_split = sorted(set(added_tokens) | set(special_tokens.values()), key=len, reverse=True)
        self.no_split = frozenset(no_split)
        self.strip_rules = {token: strip_rules.get(token, StripRule()) for token in no_split}
        self._splitter = re.compile("(" + "|".join(re.escape(token) for token in no_split) + ")") if no_split else None
        self.special_ids = frozenset(self.convert_tokens_to_ids(token) for token in set(special_tokens.values()))

    # loading -----------------------------------------------------------------------------------------------------

    @classmethod
    def from_folder(cls, folder: Path) -> "LisaTokenizer":
        try:
            import sentencepiece
        except ImportError as error:
            raise WisebenchError("the lisa adapter needs sentencepiece (LISA's slow LLaMA tokenizer): pip install 'wisebench[lisa]'") from error
        model_file = folder / "tokenizer.model"
        if not model_file.is_file():
            raise TokenizerFilesError(f"{folder} has no tokenizer.model: LISA tokenizes with the slow SentencePiece LLaMA tokenizer (use_fast=False), which needs it")
        processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        config = _read_json(folder / "tokenizer_config.json")
        special_map = _read_json(folder / "special_tokens_map.json")

        # LlamaTokenizer.__init__ wraps the config's strings in AddedToken(lstrip=False, rstrip=False); a plain string in
        # special_tokens_map.json then replaces the attribute and is stripped on both sides (4.31 from_pretrained).
        defaults = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": None}
        special_tokens: dict[str, str] = {}
        rules: dict[str, StripRule | None] = {}
        for attribute in SPECIAL_ATTRIBUTES:
            text, rule = _special_value(config.get(attribute, defaults[attribute]))
            if text is not None:
                special_tokens[attribute], rules[attribute] = text, rule or StripRule(left=False, right=False)
            if attribute in special_map:
                text, rule = _special_value(special_map[attribute])
                if text is not None:
                    special_tokens[attribute], rules[attribute] = text, rule
        extra = special_map.get("additional_special_tokens", config.get("additional_special_tokens")) or []
        for number, value in enumerate(extra):
            text, rule = _special_value(value)
            if text is not None:
                special_tokens[f"additional_{number}"], rules[f"additional_{number}"] = text, rule
        strip_rules: dict[str, StripRule] = {}
        for attribute, rule in rules.items():  # 4.31 keys AddedTokens by text: any AddedToken entry for a text wins
            if rule is not None:
                strip_rules[special_tokens[attribute]] = rule

        added = _added_tokens(folder, config, processor.get_piece_size())
        return cls(
            processor, added, special_tokens, strip_rules,
            add_bos_token=bool(config.get("add_bos_token", True)),
            # absent -> 4.31's default True (LISA's files); a stored null is falsy there, i.e. not legacy
            legacy=bool(config.get("legacy", True)),
            clean_up_tokenization_spaces=bool(config.get("clean_up_tokenization_spaces", False)),
        )

    # the vocabulary ----------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.processor.get_piece_size() + len(self.added_tokens)

    def convert_tokens_to_ids(self, token: str) -> int:
        """Added tokens first, then the sentencepiece piece (its unk id when there is none), as 4.31."""
        return self.added_tokens[token] if token in self.added_tokens else int(self.processor.piece_to_id(token))

    def _token_id(self, attribute: str) -> int | None:
        text = self.special_tokens.get(attribute)
        return None if text is None else self.convert_tokens_to_ids(text)

    @property
    def bos_token_id(self) -> int | None:
        return self._token_id("bos_token")

    @property
    def eos_token_id(self) -> int | None:
        return self._token_id("eos_token")

    @property
    def unk_token_id(self) -> int | None:
        return self._token_id("unk_token")

    # encoding ----------------------------------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[str]:
        if not self.legacy:  # tokenization_llama.py:172-173
            text = SPIECE_UNDERLINE + text.replace(SPIECE_UNDERLINE, " ")
        # the Trie never yields empty pieces; re.split does between adjacent tokens: drop them so neighbours match
        parts = [part for part in (self._splitter.split(text) if self._splitter else [text]) if part]
        for index, part in enumerate(parts):
            if part not in self.no_split:
                continue
            rule = self.strip_rules[part]
            if rule.right and index + 1 < len(parts):
                parts[index + 1] = parts[index + 1].lstrip()
            if rule.left and index > 0:
                parts[index - 1] = parts[index - 1].rstrip()
        tokens: list[str] = []
        for part in parts:
            if part:  # fully stripped whitespace is skipped
                tokens.extend([part] if part in self.no_split else self._sentencepiece(part))
        return tokens

    def _sentencepiece(self, text: str) -> list[str]:
        """tokenization_llama.py:177-196 _tokenize."""
        is_first = not self.legacy and text.startswith(SPIECE_UNDERLINE)
        if is_first:
            text = text[1:]
        pieces = list(self.processor.encode(text, out_type=str))
        if not self.legacy and not is_first and not text.startswith(" ") and pieces and pieces[0].startswith(SPIECE_UNDERLINE):
            pieces = ([pieces[0][1:]] if len(pieces[0]) > 1 else []) + pieces[1:]
        return pieces

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        """tokenizer(text).input_ids: BOS (add_bos_token) + the ids of tokenize(text)."""
        ids = [self.convert_tokens_to_ids(token) for token in self.tokenize(text)]
        bos = self.bos_token_id
        return ([bos] if add_special_tokens and self.add_bos_token and bos is not None else []) + ids

    # decoding ----------------------------------------------------------------------------------------------------

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        parts: list[str] = []
        pieces: list[str] = []
        for index in ids:
            if skip_special_tokens and index in self.special_ids:
                continue
            if index in self.added_by_id:
                if pieces:
                    parts.append(self._pieces_to_text(pieces))
                    pieces = []
                parts.append(self.added_by_id[index])
            else:
                pieces.append(self.processor.id_to_piece(index))
        if pieces:
            parts.append(self._pieces_to_text(pieces))
        text = " ".join(parts)
        return _clean_up(text) if self.clean_up_tokenization_spaces else text

    def _pieces_to_text(self, pieces: list[str]) -> str:
        """tokenization_llama.py:207-224: special tokens kept verbatim (with a space before), the rest through
        sentencepiece."""
        specials = set(self.special_tokens.values())
        text, run, previous_special = "", [], False
        for position, piece in enumerate(pieces):
            if piece in specials:
                if not previous_special and position != 0:
                    text += " "
                text += self.processor.decode_pieces(run) + piece
                run, previous_special = [], True
            else:
                run.append(piece)
                previous_special = False
        return text + self.processor.decode_pieces(run)

    def describe(self) -> dict[str, Any]:
        import sentencepiece

        added = dict(sorted(self.added_tokens.items(), key=lambda item: item[1]))
        return {"kind": self.kind, "legacy": self.legacy, "add_bos_token": self.add_bos_token, "added_tokens": added, "sentencepiece": sentencepiece.__version__}


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TokenizerFilesError(f"{path} is not valid JSON ({error})") from None


def _added_tokens(folder: Path, config: dict[str, Any], piece_size: int) -> dict[str, int]:
    """added_tokens.json, the file 4.31 reads; a folder re-saved by transformers >= 4.34 may only have
    tokenizer_config.json's added_tokens_decoder, whose entries above the sentencepiece vocabulary are the same tokens.
    Ids must run on from the vocabulary size (4.31 raises 'Non-consecutive added token' otherwise)."""
    path = folder / "added_tokens.json"
    if path.is_file():
        added = {str(token): int(index) for token, index in _read_json(path).items()}
    else:
        decoder = config.get("added_tokens_decoder") or {}
        added = {str(entry["content"]): int(index) for index, entry in decoder.items() if int(index) >= piece_size}
    ordered = sorted(added.items(), key=lambda item: item[1])
    for offset, (token, index) in enumerate(ordered):
        if index != piece_size + offset:
            raise TokenizerFilesError(f"{path}: added token {token!r} has id {index}, expected {piece_size + offset} (ids run on from the {piece_size}-piece SentencePiece vocabulary)")
    return dict(ordered)


def _clean_up(text: str) -> str:
    """PreTrainedTokenizerBase.clean_up_tokenization (4.31)."""
    for before, after in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        text = text.replace(before, after)
    return text
