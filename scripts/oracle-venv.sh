# Sourced by scripts/test.sh and scripts/test-asan.sh: creates .venv/ with the c2pa-rs oracle (c2pa-python) and
# Pillow (and Selenium, for the upload page's browser test) on first use, and exports SIGNET_ORACLE_PYTHON. Run from
# the repository root.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import c2pa, PIL, selenium' 2>/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
fi
export SIGNET_ORACLE_PYTHON="$PWD/.venv/bin/python"
