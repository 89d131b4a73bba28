"""The classic fastai path for ResNet18 on MNIST_SAMPLE, as the book's chapter runs it: PNGs decoded
by fastai's DataLoaders at the default batch size (64), ResNet18 from scratch, one cycle at lr 0.1.
`make bench` compares notebook 08's training time with this one, run on the same machine.

Prints one JSON line: {"seconds": training time, "accuracy": validation accuracy, "peak_mb": ...}.

    python tools/classic_resnet.py [seed]   (default 42; make bench runs three seeds)
"""
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers.noise import quiet_library_warnings

quiet_library_warnings()
# The classic path, as the book writes it; importing fastai.vision.all also adds fit_one_cycle, no_bar, ...
from fastai.vision.all import F, ImageDataLoaders, accuracy, resnet18, set_seed, vision_learner  # noqa: E402 (after the filter)

from helpers.data import mnist_sample  # noqa: E402 (helpers.data imports fastai too)

set_seed(int(sys.argv[1]) if len(sys.argv) > 1 else 42)
dls = ImageDataLoaders.from_folder(mnist_sample())
learn = vision_learner(dls, resnet18, pretrained=False, loss_func=F.cross_entropy, metrics=accuracy)
start = time.perf_counter()
with learn.no_bar(), learn.no_logging():
    learn.fit_one_cycle(1, 0.1)
seconds = time.perf_counter() - start
acc = float(learn.validate()[1])
print(json.dumps({"seconds": round(seconds, 1), "accuracy": acc,
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
