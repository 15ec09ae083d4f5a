"""The LLM catalogs: tools/build_llm_catalogs.py on our own tiny reference set, the bundled files, --api-prices."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from genaicost.domain.errors import InputError
from genaicost.pricing.bundled import load_catalog
from genaicost.pricing.llm_files import load_llm_catalog, read_llm_dir

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "data" / "llm"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_llm_tool", ROOT / "tools" / "build_llm_catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("llm")
    shutil.copy(REFERENCE / "instance_specs.csv", out / "instance_specs.csv")
    assert _tool().main(["--reference-dir", str(REFERENCE), "--out", str(out), "--as-of", "2026-11-28"]) == 0
    return out


def test_tool_normalizes_rows_and_keeps_sources(built: Path) -> None:
    cat = read_llm_dir(built)
    assert cat.as_of == date(2026, 11, 28)
    rows = {r["model"]: r for r in cat.throughput.iter_rows(named=True)}
    seventy = rows["Llama-3.1-70B"]
    assert (seventy["model_key"], seventy["params_b"], seventy["precision"], seventy["gpu_model"],
            seventy["gpu_count"], seventy["gpu_memory_gb_each"], seventy["input_tokens"], seventy["output_tokens"],
            seventy["output_tokens_per_s"], seventy["usable"]) == (
        "llama-3.1-70b", 70.0, "fp8", "L40S", 4, 48.0, 5000, 500, 249.52, True)
    assert seventy["source"].startswith("NVIDIA/TensorRT-LLM@258c7540") and seventy["engine"] == "TensorRT-LLM"
    mixtral = rows["Mixtral-8x7B"]
    assert (mixtral["params_b"], mixtral["precision"], mixtral["gpu_model"]) == (46.7, "bf16", "A100")
    assert "Mistral AI" in mixtral["params_source"]
    neuron = rows["Meta-Llama-3.1-8B-Instruct"]   # hardware from the AWS instance type's specs
    assert (neuron["model_key"], neuron["gpu_model"], neuron["gpu_count"], neuron["gpu_memory_gb_each"],
            neuron["ttft_ms"], neuron["usable"]) == ("llama-3.1-8b", "Inferentia2", 12, 32.0, 7166.3, True)
    assert rows["Llama-3.1-8B"]["usable"] is False
    assert rows["Llama-3.1-8B"]["unusable_reason"] == "no single input/output token lengths stated"
    assert rows["Mistral-7B-v0.1"]["usable"] is False
    meta = json.loads((built / "llm_meta.json").read_text())
    assert meta["api_sources"] == [
        "AgentOps-AI/tokencost@e7f7c19 (2025-09-05; copy of LiteLLM map) tokencost/model_prices.json",
        "BerriAI/litellm v1.110.2 (PyPI wheel) litellm/model_prices_and_context_window_backup.json"]
    api = {(r["provider"], r["model"]): r for r in cat.api.iter_rows(named=True)}
    gpt = api[("openai", "gpt-4o")]
    assert (gpt["input_usd_per_1m"], gpt["output_usd_per_1m"]) == (2.5, 10.0)
    assert api[("openai", "gpt-4o")]["source"].endswith("key=gpt-4o")


def test_bundled_catalogs_are_complete_and_map_to_aws_types() -> None:
    cat = load_llm_catalog()
    assert cat.api.height >= 90 and cat.api.get_column("source").null_count() == 0
    bedrock = cat.api.filter((pl.col("provider") == "bedrock") & (pl.col("model") == "meta.llama3-1-70b-instruct-v1:0"))
    assert bedrock.select("input_usd_per_1m", "output_usd_per_1m").row(0) == (0.72, 0.72)
    usable = cat.throughput.filter(pl.col("usable"))
    assert usable.height >= 140
    for col in ("source", "engine", "concurrency", "input_tokens", "output_tokens", "output_tokens_per_s"):
        assert usable.get_column(col).null_count() == 0, col
    spec_gpus = set(load_catalog().specs.get_column("gpu_model").drop_nulls().to_list())
    assert set(usable.get_column("gpu_model").to_list()) <= spec_gpus   # every usable row maps to AWS types


def test_api_prices_file_replaces_and_extends(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("provider,model,input_usd_per_1m,output_usd_per_1m,source\n"
                    "openai,gpt-4o,1,4,our contract 2026-11\nacme,big,0.2,0.4,acme price page 2026-11-01\n")
    cat = load_llm_catalog(path)
    api = {(r["provider"], r["model"]): r for r in cat.api.iter_rows(named=True)}
    assert (api[("openai", "gpt-4o")]["input_usd_per_1m"], api[("openai", "gpt-4o")]["source"]) == (
        1.0, "our contract 2026-11")
    assert api[("acme", "big")]["output_usd_per_1m"] == 0.4
    assert cat.api.height == load_llm_catalog().api.height + 1 and cat.api_file == str(path)


@pytest.mark.parametrize(("text", "message"), [
    ("provider,model,input_usd_per_1m\nx,y,1\n", "missing column(s) output_usd_per_1m, source"),
    ("provider,model,input_usd_per_1m,output_usd_per_1m,source\nx,y,-1,2,s\n", "must be numbers ≥ 0"),
    ("provider,model,input_usd_per_1m,output_usd_per_1m,source\nx,y,one,2,s\n", "not a number"),
    ("provider,model,input_usd_per_1m,output_usd_per_1m,source\nx,y,1,2,\n", "every row needs a source"),
])
def test_bad_api_prices_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_llm_catalog(path)
    assert message in str(err.value) and "--api-prices" in str(err.value)
