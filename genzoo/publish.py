"""Publish every bundled model to the Hugging Face Hub, each as its own repo `<owner>/<name>`:

    python -m genzoo.publish --owner my-user             # HF_TOKEN or `hf auth login`
    python -m genzoo.publish --owner my-org --private --only clip-emoji

The README's Space front matter lists these repos under the default owner, `genzoo`. Bundled
folders are first completed (the text encoder's files for text-to-image, MiniLM's shard for
CLIP), so every pushed repo is complete. The token is never printed.
"""

from __future__ import annotations

import argparse

from genzoo.hub import publish
from genzoo.models import clip, latent_diffusion
from genzoo.registry import BUNDLED, CHECKPOINTS_DIR, HUB_OWNER, repo_id

COMPLETE = {"text-to-image": latent_diffusion.complete_folder, "clip": clip.complete_folder}


def publish_all(owner: str, *, private: bool = False, only: list[str] | None = None) -> dict:
    """Push each bundled model of this checkout (or those named in `only`); return name ->
    commit URL."""
    urls = {}
    for name, entry in BUNDLED.items():
        folder = CHECKPOINTS_DIR / name
        if (only and name not in only) or not folder.is_dir():
            continue
        if entry.family in COMPLETE:
            COMPLETE[entry.family](folder)
        urls[name] = publish(folder, repo_id(name, owner), private=private)
        print(f"{name}: {urls[name]}")
    return urls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owner", default=HUB_OWNER, help="user or organisation")
    parser.add_argument("--private", action="store_true")
    parser.add_argument("--only", nargs="*", choices=sorted(BUNDLED), help="just these models")
    args = parser.parse_args(argv)
    publish_all(args.owner, private=args.private, only=args.only)


if __name__ == "__main__":
    main()
