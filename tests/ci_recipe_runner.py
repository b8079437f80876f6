"""Runs one CI job of docs/ci.md the way its CI system runs it, for tests/test_ci_recipe.py.

    python3 ci_recipe_runner.py github|gitlab JOB.yml WORKSPACE

It runs inside the throw-away machine copy the test makes (tool_packages.in_machine_copy), as root,
as the job's container would, and prints one JSON object: every step with its exit code and the
tail of its output, and the paths the job publishes (relative to WORKSPACE).

GitHub Actions: the single job of `jobs:`; `env:` of the job and of each step; each `run:` step is
its own `bash -e` script in WORKSPACE (the default shell of a Linux job); lines appended to
$GITHUB_ENV and $GITHUB_PATH reach the later steps; after a failed step only `if: always()` steps
run. `uses:` steps are actions this machine cannot run: their `with:` paths (path, report_paths)
are what the job publishes.

GitLab CI: the one job with a `script:`; `variables:` as environment; `before_script` and `script`
in one `bash -eo pipefail` session, as the shell executor runs them; `artifacts: paths` and
`artifacts: reports: junit` are what the job publishes.

Expressions (`${{ ... }}`) are refused rather than passed on unexpanded.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

#: The PATH of a debian:12 container.
CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STEP_TIMEOUT = 600
OUTPUT_TAIL = 1_000_000  # the test looks for lines anywhere in a step's output


def base_env(extra: dict[str, str]) -> dict[str, str]:
    env = {"PATH": CONTAINER_PATH, "HOME": "/root", "LANG": "C.UTF-8", "CI": "true"}
    env.update({k: os.environ[k] for k in ("APT_CONFIG",) if k in os.environ})  # offline apt (the test's)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_script(shell: list[str], script: str, env: dict[str, str], cwd: Path) -> dict:
    if "${{" in script:
        raise SystemExit(f"expressions are not supported here: {script!r}")
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as file:
        file.write(script)
    result = subprocess.run([*shell, file.name], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=STEP_TIMEOUT)
    os.unlink(file.name)
    return {"returncode": result.returncode, "output": result.stdout[-OUTPUT_TAIL:]}


def read_env_file(path: Path) -> dict[str, str]:
    """GITHUB_ENV's forms: NAME=value lines and NAME<<DELIMITER ... DELIMITER blocks."""
    values: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for body_line in lines:
                if body_line == delimiter:
                    break
                body.append(body_line)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def github(workflow: dict, workspace: Path) -> dict:
    (name, job), = workflow["jobs"].items()
    runner_temp = Path(tempfile.mkdtemp(prefix="runner-temp-"))
    env_file, path_file = runner_temp / "github-env", runner_temp / "github-path"
    env_file.touch()
    path_file.touch()
    env = base_env({"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace, "RUNNER_TEMP": runner_temp,
                    "GITHUB_ENV": env_file, "GITHUB_PATH": path_file, **job.get("env", {})})
    steps, published, failed = [], [], False
    for number, step in enumerate(job["steps"], 1):
        title = step.get("name") or step.get("uses") or f"step {number}"
        condition = str(step.get("if", "success()")).strip()
        if condition not in ("success()", "always()"):
            raise SystemExit(f"{title}: condition {condition!r} is not supported here")
        if failed and condition != "always()":
            steps.append({"name": title, "skipped": True})
            continue
        if "uses" in step:
            with_ = step.get("with", {})
            for key in ("path", "report_paths"):
                published += [p.strip() for p in str(with_.get(key, "")).replace(",", "\n").splitlines() if p.strip()]
            steps.append({"name": title, "uses": step["uses"]})
            continue
        step_env = dict(env, **{k: str(v) for k, v in step.get("env", {}).items()})
        step_env["PATH"] = os.pathsep.join([*path_file.read_text().split(), step_env["PATH"]])
        outcome = run_script(["bash", "-e"], step["run"], step_env, workspace / step.get("working-directory", "."))
        steps.append({"name": title, **outcome})
        failed = failed or outcome["returncode"] != 0
        env.update(read_env_file(env_file))
    return {"job": name, "steps": steps, "published": published}


def gitlab(pipeline: dict, workspace: Path) -> dict:
    (name, job), = ((k, v) for k, v in pipeline.items() if isinstance(v, dict) and "script" in v)
    env = base_env({"GITLAB_CI": "true", "CI_PROJECT_DIR": workspace, **pipeline.get("variables", {}),
                    **job.get("variables", {})})
    lines = [*job.get("before_script", []), *job["script"]]
    outcome = run_script(["bash", "--noprofile", "--norc", "-eo", "pipefail"], "\n".join(lines), env, workspace)
    steps = [{"name": "script", **outcome}]
    if "after_script" in job:
        steps.append({"name": "after_script", **run_script(["bash", "-e"], "\n".join(job["after_script"]), env,
                                                           workspace)})
    artifacts = job.get("artifacts", {})
    published = []
    if outcome["returncode"] == 0 or artifacts.get("when") == "always":
        published = list(artifacts.get("paths", [])) + [
            report for kind, report in artifacts.get("reports", {}).items() if kind == "junit"]
    return {"job": name, "steps": steps, "published": published}


def main() -> None:
    system, job_file, workspace = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    document = yaml.safe_load(job_file.read_text())
    run = {"github": github, "gitlab": gitlab}[system]
    print(json.dumps(run(document, workspace)))


if __name__ == "__main__":
    main()
