#!/usr/bin/env bash
# scikit-learn's bundled datasets, classification (digits, wine, breast_cancer) and regression
# (diabetes, also as NPY pairs), as CSV with a fixed split
# (bench/sklearn_export.py), into data/sklearn/, for
# experiments/sklearn_*.yaml. scikit-learn comes from PyPI into .build/pyenv (a virtual
# environment that also sees Debian's python3-torch and numpy). Every file is checked against
# the SHA-256 below: the committed runs' ids hold these hashes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .build/pyenv/bin/python -c "import sklearn" 2>/dev/null; then
  /usr/bin/python3 -m venv --system-site-packages .build/pyenv
  .build/pyenv/bin/pip install -q "scikit-learn==1.9.1" "safetensors==0.8.0"
fi
.build/pyenv/bin/python bench/sklearn_export.py data/sklearn >/dev/null
sha256sum -c --quiet <<'SUMS'
b3826f2ea1d9067d47faea8cb11394eca8e9029f452622d5eefa310595a329ca  data/sklearn/digits-train.csv
58d6f9bcbabca789c54d71fb646d9d9d8df865e96758ee37a2b44b8b67498f03  data/sklearn/digits-test.csv
def7081a10eba91b2fb049699c4995b992cc0d80ca4911f2958fcecb8dc20c1c  data/sklearn/wine-train.csv
fbf89c048bdb9da1e6795088cf0b5a6e39e8fa36a554f4b75f5c1d17edacc804  data/sklearn/wine-test.csv
2e188d378c76a8932050c4ef2583926423f4b73c1e33b37301735ba8c1ac6b2e  data/sklearn/breast_cancer-train.csv
3e18af6aa9500d49a0a8423c14b18ed133694246647c9114dea1a1457eb5a8aa  data/sklearn/breast_cancer-test.csv
9ddcdda18bab92aa0709ddbc6ae15496d4509da52041bb40507c9a3af0cceed9  data/sklearn/diabetes-train.csv
a607ae8cc22a2d8e84bd0721f91d4bdab17fab78fb7c146d1dbb17e6e450177e  data/sklearn/diabetes-test.csv
d22926527cc46a27b91133f081c3394168bc5fea8fea75f42072fe547bf8b9ac  data/sklearn/diabetes-train-x.npy
44e7d855ff454a939081cef5eead1bff7248036a6124b3b7ff395bcd3ee609b9  data/sklearn/diabetes-train-y.npy
c5ccdd03400194c3e89b3b2d0e40d1c6c993cbb4ffc455ecd13b21f82cd592b1  data/sklearn/diabetes-test-x.npy
8e1623bf98141905598e5b64ccb3e0484bb2d661778503b2644a81ef5903c54b  data/sklearn/diabetes-test-y.npy
SUMS
echo "fetch-sklearn-data: data/sklearn/{digits,wine,breast_cancer,diabetes}-{train,test}.csv and diabetes NPY verified"
