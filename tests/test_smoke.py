from explainer.config import preset
from explainer.engine import run


def test_presets_run_and_match_autograd():
    for n in range(6):
        r = run(preset(n))
        assert len(r.steps) == preset(n).steps
        assert r.max_diff < 1e-12
