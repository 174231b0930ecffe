#!/usr/bin/env python3
"""Drives Harken Studio in Debian's headless Chromium (selenium + chromedriver) against a running
`harken serve`, and prints ONE JSON object with what the page showed, for a Swift test to hold
against the command line.

    studio_browser.py URL --artifacts DIR [options] STEP [STEP ...]
    steps: screens data train evaluate play mine deploy listen, or all (every one, in that order)

Every screen the steps open is saved as DIR/NN-name.png. A missing element, a timeout or an
error in the page's error banner exits 1 with a message naming the step and the element, after a
screenshot DIR/FAILED-step.png. Waits poll the page (screen-X's data-ready="1", an element's text
or attribute), never a fixed sleep, so a slow machine is only slower, not flaky.
"""

import argparse
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import (JavascriptException, StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

SCREENS = ["data", "train", "evaluate", "mine", "search", "deploy", "listen"]
STEPS = ["screens", "data", "train", "evaluate", "play", "mine", "deploy", "listen"]


class StepFailed(Exception):
    pass


class Studio:
    def __init__(self, args):
        self.args = args
        self.url = args.url.rstrip("/") + "/"
        self.token = args.token
        self.artifacts = os.path.abspath(args.artifacts)
        os.makedirs(self.artifacts, exist_ok=True)
        self.downloads = os.path.abspath(args.download_dir or os.path.join(self.artifacts, "downloads"))
        os.makedirs(self.downloads, exist_ok=True)
        self.step = "start"
        self.shots = {}
        self.shot_index = 0
        self.out = {"schema_version": 1, "url": self.url, "artifacts": self.artifacts, "screenshots": self.shots}
        self.driver = self._launch()

    # ---- browser

    def _launch(self):
        o = webdriver.ChromeOptions()
        o.binary_location = self.args.chromium
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                     "--autoplay-policy=no-user-gesture-required", "--disable-dev-shm-usage"]:
            o.add_argument(flag)
        if self.args.fake_audio:
            # The fake capture device loops this file into getUserMedia from the moment it opens.
            o.add_argument("--use-fake-ui-for-media-stream")
            o.add_argument("--use-fake-device-for-media-stream")
            o.add_argument("--use-file-for-fake-audio-capture=" + os.path.abspath(self.args.fake_audio))
        o.add_experimental_option("prefs", {
            "download.default_directory": self.downloads,
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
        })
        o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        d = webdriver.Chrome(service=Service(self.args.chromedriver), options=o)
        d.set_page_load_timeout(60)
        d.set_script_timeout(120)
        try:
            # Headless Chromium ignores the download prefs on some versions; the DevTools command does not.
            d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": self.downloads})
        except WebDriverException:
            d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": self.downloads})
        return d

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            pass

    def page_url(self, screen):
        q = f"?token={self.token}" if self.token else ""
        return f"{self.url}{q}#/{screen}"

    def api(self, path, method="GET", body=None):
        """The API as the test sees it, outside the page (to find ids the page does not show)."""
        req = urllib.request.Request(self.url.rstrip("/") + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    # ---- failing loudly

    def fail(self, message):
        raise StepFailed(f"step {self.step}: {message}")

    def wait(self, what, predicate, timeout=None):
        """Polls predicate(driver) until truthy; fails naming `what` after the timeout."""
        t = timeout if timeout is not None else self.args.timeout
        try:
            return WebDriverWait(self.driver, t, poll_frequency=0.1, ignored_exceptions=(JavascriptException, StaleElementReferenceException)).until(predicate)
        except TimeoutException:
            self.fail(f"timed out after {t:.0f} s waiting for {what}{self.banner_note()}")

    def el(self, element_id, timeout=None):
        found = self.wait(f"element #{element_id}", lambda d: d.find_elements(By.ID, element_id), timeout)
        return found[0]

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def banner(self):
        return self.js("""
            const b = document.getElementById('error-banner');
            if (!b || b.hidden) return [];
            return [...b.querySelectorAll('.banner-item')].map((e) => e.textContent.trim());""") or []

    def banner_note(self):
        try:
            b = self.banner()
        except WebDriverException:
            return ""
        return f" (error banner: {' | '.join(b)})" if b else ""

    def check_banner(self):
        """Fails on any error in the banner but those --allow-banner names (recorded, then dismissed)."""
        b = self.banner()
        if not b:
            return
        bad = [x for x in b if x.split(" ", 1)[0] not in self.args.allow_banner]
        if bad:
            self.fail(f"the page shows #error-banner: {' | '.join(bad)}")
        allowed = self.out.setdefault("banners_allowed", [])
        allowed += [f"{self.step}: {x}" for x in b if f"{self.step}: {x}" not in allowed]
        self.js("document.querySelector('#error-banner .banner-close')?.click();")

    def screenshot(self, name):
        self.shot_index += 1
        path = os.path.join(self.artifacts, f"{self.shot_index:02d}-{name}.png")
        self.driver.save_screenshot(path)
        self.shots[name] = path
        return path

    # ---- navigation

    def open(self, screen, fresh=False):
        """Shows a screen and waits for its data-ready="1" (set once its first data is drawn)."""
        if fresh or not self.driver.current_url.startswith(self.url):
            # A get() that changes only the hash keeps the old document (and its drawn tables).
            if self.driver.current_url.startswith(self.url):
                self.driver.get("about:blank")
            self.driver.get(self.page_url(screen))
        else:
            self.el(f"nav-{screen}").click()
        self.wait(f'#screen-{screen}[data-ready="1"]',
                  lambda d: self.js(f"const s = document.getElementById('screen-{screen}');"
                                    f"return !!s && !s.hidden && s.getAttribute('data-ready') === '1';"))
        return self.el(f"screen-{screen}")

    def select(self, element_id, value):
        sel = self.el(element_id)
        values = [o.get_attribute("value") for o in sel.find_elements(By.TAG_NAME, "option")]
        if value not in values:
            self.fail(f"#{element_id} offers no option '{value}' (it offers {values})")
        Select(sel).select_by_value(value)
        # Select fires change itself; the assert guards a page that re-renders the options under us.
        if sel.get_attribute("value") != value:
            self.fail(f"#{element_id} did not take the value '{value}'")

    def click_fresh(self, css):
        """Clicks what `css` finds now, finding it again when a redraw replaced it under the click."""
        for _ in range(20):
            try:
                found = self.driver.find_elements(By.CSS_SELECTOR, css)
                if not found:
                    self.fail(f"no element matches {css}")
                found[0].click()
                return
            except StaleElementReferenceException:
                time.sleep(0.1)
        self.fail(f"{css} kept being redrawn; could not click it")

    def text(self, element_id):
        return self.el(element_id).text.strip()

    # ---- steps

    def screens(self):
        for name in SCREENS:
            self.open(name, fresh=name == "data")
            self.screenshot(name)
            self.check_banner()

    def data(self):
        self.open("data", fresh=True)
        total = self.wait("#corpus-total to show a number", lambda d: self.text("corpus-total").replace(",", "").isdigit() and self.text("corpus-total"))
        splits = {tr.get_attribute("data-key"): tr.find_elements(By.CSS_SELECTOR, "td")[1].text
                  for tr in self.el("corpus-splits").find_elements(By.CSS_SELECTOR, "tbody tr")}
        voices = len(self.el("corpus-voices").find_elements(By.CSS_SELECTOR, "tbody tr"))
        rows = self.el("clip-list").find_elements(By.CSS_SELECTOR, "button.play")
        if not rows:
            self.fail("#clip-list has no row with button.play")
        rows[0].click()
        self.wait("#clip-waveform to be drawn after ▶", lambda d: self.js(
            "const c = document.getElementById('clip-waveform'); const x = c.getContext('2d');"
            "const p = x.getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < p.length; i += 4) if (p[i]) return true; return false;"))
        self.screenshot("data-clip")
        self.check_banner()
        self.out["data"] = {"corpus_total": int(total.replace(",", "")), "splits": {k: int(v.replace(",", "")) for k, v in splits.items()},
                            "voices": voices, "played_clip": rows[0].get_attribute("data-path")}

    def train(self):
        a = self.args
        self.open("train", fresh=True)
        self.select("preset-select", a.preset)
        epochs = self.el("epochs-input")
        epochs.clear()
        epochs.send_keys(str(a.epochs))
        name = self.el("run-name")
        name.clear()
        name.send_keys(a.run_name)
        self.el("train-start").click()
        panel = "job-panel"
        job_id = self.wait("#job-panel[data-job-id] of the new job", lambda d: self.el(panel).get_attribute("data-job-id"))
        self.wait("#job-state to leave 'none'", lambda d: self.text("job-state") not in ("", "none"))
        seen_states = {self.text("job-state")}
        # The page's curve must draw every epoch as it comes; 2 points appear at the end of epoch 2 at the latest.
        def curve(d):
            seen_states.add(self.text("job-state"))
            return int(self.el("curve-loss").get_attribute("data-points") or 0) >= a.epochs
        self.wait(f"#curve-loss data-points to reach {a.epochs}", curve, timeout=a.train_timeout)
        self.screenshot("train-curve")
        first = {"job_id": job_id, "state": self.text("job-state")}

        # A second tab on #/train follows the same job (no second one is started).
        main = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        self.open("train", fresh=True)
        second = {"job_id": self.wait("#job-panel[data-job-id] in the second tab", lambda d: self.el(panel).get_attribute("data-job-id")),
                  "state": self.text("job-state"),
                  "points": int(self.el("curve-loss").get_attribute("data-points") or 0)}
        self.screenshot("train-second-tab")
        self.driver.close()
        self.driver.switch_to.window(main)
        after = self.text("job-state")
        final = self.wait("#job-state to be done", lambda d: self.text("job-state") if self.text("job-state") in ("done", "failed", "cancelled", "interrupted") else None,
                          timeout=a.train_timeout)
        if final != "done":
            self.fail(f"#job-state ended '{final}': {self.text('job-message')}")
        first_points = int(self.el("curve-loss").get_attribute("data-points") or 0)
        self.screenshot("train-done")
        self.check_banner()
        self.out["train"] = {"job_id": job_id, "state_while_open": first["state"], "states_seen": sorted(seen_states), "final_state": final,
                             "state_after_second_tab": after, "curve_points": first_points, "second_tab": second}

    def evaluate(self):
        a = self.args
        self.open("evaluate", fresh=True)
        self.select("eval-model", a.eval_model)
        split_options = [o.get_attribute("value") for o in self.el("eval-split").find_elements(By.TAG_NAME, "option")]
        split = a.eval_split if a.eval_split in split_options else a.eval_split_fallback
        self.select("eval-split", split)
        before = self.el("eval-panel").get_attribute("data-job-id") or ""
        self.el("eval-start").click()
        job_id = self.wait("#eval-panel[data-job-id] of the new evaluation", lambda d: (self.el("eval-panel").get_attribute("data-job-id") or before) != before
                           and self.el("eval-panel").get_attribute("data-job-id"))
        final = self.wait("#eval-state to end", lambda d: self.text("eval-state") if self.text("eval-state") in ("done", "failed", "cancelled", "interrupted") else None,
                          timeout=a.eval_timeout)
        if final != "done":
            self.fail(f"#eval-state ended '{final}': {self.text('eval-message')}")
        evaluation = os.path.basename(self.api(f"/api/v1/jobs/{job_id}")["output"].rstrip("/"))
        self.wait(f"#eval-select to choose evaluation {evaluation}", lambda d: self.el("eval-select").get_attribute("value") == evaluation)
        self.wait("#frr-value to show a figure", lambda d: self.text("frr-value") not in ("", "–"))
        default_cutoff = float(self.el("frr-value").get_attribute("data-cutoff"))
        self.screenshot("evaluate-done")
        points = []
        for c in a.cutoffs:
            points.append(self.at_cutoff(c))
        self.screenshot("evaluate-cutoffs")
        self.check_banner()
        self.out["evaluate"] = {"job_id": job_id, "evaluation": evaluation, "model": a.eval_model, "split": split,
                                "split_options": split_options, "default_cutoff": default_cutoff, "points": points}

    def at_cutoff(self, c):
        """Moves the slider as a drag would (value + input event) and reads the figures it shows."""
        self.js("const s = document.getElementById('cutoff-slider'); s.value = String(arguments[0]);"
                "s.dispatchEvent(new Event('input', {bubbles: true}));", c)
        want = round(float(self.el("cutoff-slider").get_attribute("value")), 3)
        self.wait(f"#frr-value[data-cutoff] to become {want}",
                  lambda d: abs(float(self.el("frr-value").get_attribute("data-cutoff") or "nan") - want) < 1e-9)
        fa_rows = self.el("fa-list").find_elements(By.CSS_SELECTOR, "tbody tr[data-id]")
        return {"cutoff": want, "cutoff_text": self.text("cutoff-value"), "frr": self.text("frr-value"), "frr_ci": self.text("frr-value-ci"),
                "fa_per_hour": self.text("fa-value"), "fa_ci": self.text("fa-value-ci"),
                "near_miss": self.text("nearmiss-value"), "near_miss_ci": self.text("nearmiss-value-ci"),
                "fa_list": [r.get_attribute("data-id") for r in fa_rows],
                "fr_list": len(self.el("fr-list").find_elements(By.CSS_SELECTOR, "tbody tr[data-id]"))}

    def play(self):
        """▶ on a row of #fa-list: the page's audio element gets a WAV slice and plays it."""
        if not self.driver.current_url.split("#")[-1].startswith("/evaluate"):
            self.open("evaluate", fresh=True)
        # playClip() makes a detached Audio(); record every element play() is called on to see it.
        self.js("""
            if (!window.__harkenPlayed) {
              window.__harkenPlayed = [];
              const play = HTMLMediaElement.prototype.play;
              HTMLMediaElement.prototype.play = function (...a) { window.__harkenPlayed.push(this); return play.apply(this, a); };
            }""")
        # A false accept in the background stream first (an accepted near miss is a whole clip),
        # at the cutoff shown, then at each of --play-cutoffs in turn.
        chosen, tried = None, []
        for css in ("tbody tr[data-id^='fa:'] button.play", "tbody tr[data-id] button.play"):
            for c in [None] + list(self.args.play_cutoffs):
                if c is not None:
                    tried.append(self.at_cutoff(c)["cutoff"])
                buttons = self.el("fa-list").find_elements(By.CSS_SELECTOR, css)
                if buttons:
                    chosen = buttons[0]
                    break
            if chosen:
                break
        if chosen is None:
            self.fail(f"#fa-list has no row with button.play at the cutoffs tried {tried}")
        row = chosen.find_element(By.XPATH, "./ancestor::tr")
        row_id = row.get_attribute("data-id")
        chosen.click()
        src = self.wait("an audio element to play", lambda d: self.js("const p = window.__harkenPlayed; return p.length ? p[p.length - 1].src : null;"))
        duration = self.wait("the audio element's duration > 0", lambda d: self.js(
            "const a = window.__harkenPlayed[window.__harkenPlayed.length - 1];"
            "return a.error ? -1 : (Number.isFinite(a.duration) && a.duration > 0 ? a.duration : null);"))
        if duration < 0:
            self.fail(f"the audio element for {src} has error {self.js('return window.__harkenPlayed.at(-1).error.code')}")
        fetched = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0]).then(async (r) => done({status: r.status, type: r.headers.get('Content-Type'), bytes: (await r.arrayBuffer()).byteLength}))
              .catch((e) => done({error: String(e)}));""", src)
        self.screenshot("evaluate-play")
        self.check_banner()
        self.out["play"] = {"row_id": row_id, "src": src, "duration_s": duration, "fetch": fetched, "cutoff": float(self.el("frr-value").get_attribute("data-cutoff"))}

    def save_operating_point(self, evaluation, cutoff):
        """On Evaluate: the slider at `cutoff`, then "Save operating point"; returns the cutoff it replaced."""
        self.open("evaluate", fresh=True)
        self.select("eval-select", evaluation)
        self.wait(f"#frr-value for evaluation {evaluation}", lambda d: self.text("frr-value") not in ("", "–"))
        before = float(self.el("frr-value").get_attribute("data-cutoff"))
        self.at_cutoff(cutoff)
        self.el("save-operating-point").click()
        want = f"cutoff {float(f'{cutoff:.3f}')}"
        self.wait(f"#operating-point-status to say '{want}'", lambda d: want in self.text("operating-point-status"))
        return before

    def findings(self, evaluation):
        self.open("mine", fresh=True)
        if evaluation:
            self.select("mine-eval", evaluation)
        self.wait("#findings-table", lambda d: d.find_elements(By.ID, "findings-table"))
        self.wait("#findings-table to list the chosen evaluation's findings",
                  lambda d: self.js("return !document.querySelector('#findings-table td.muted') || document.querySelector('#findings-table tbody tr[data-id]')") is not None)
        # Read in one script: the table is redrawn whenever a findings request lands.
        rows = self.js("""return [...document.querySelectorAll('#findings-table tbody tr[data-id]')].map((r) => {
            const b = r.querySelector('button.add-negative');
            return {id: r.dataset.id, kind: r.dataset.kind, enabled: !!b && !b.disabled}; });""")
        kinds = {}
        for r in rows:
            kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
        # Background the model woke on is what a negative is for: a false accept first, else an accepted near miss.
        for kind in ("false_accept", "near_miss"):
            for r in rows:
                if r["kind"] == kind and r["enabled"]:
                    return kinds, r
        return kinds, None

    def mine(self):
        evaluation = (self.out.get("evaluate") or {}).get("evaluation") or self.args.mine_evaluation
        result = {"evaluation": evaluation}
        kinds, target = self.findings(evaluation)
        result["kinds_at_model_cutoff"] = kinds
        self.screenshot("mine-findings")
        restore = None
        if not target and self.args.mine_cutoff and evaluation:
            # Findings are taken at the model's saved cutoff; a model that wakes on nothing there is
            # mined the way a person would: save a lower operating point, mine, then put it back.
            restore = self.save_operating_point(evaluation, self.args.mine_cutoff)
            result["operating_point"] = {"lowered_to": self.args.mine_cutoff, "was": restore}
            kinds, target = self.findings(evaluation)
            result["kinds_at_lowered_cutoff"] = kinds
            self.screenshot("mine-findings-lowered")
        if not target:
            self.fail(f"#findings-table has no false accept or near miss with an enabled .add-negative (kinds: {kinds}"
                      f"{'' if restore is None else f' at the lowered cutoff {self.args.mine_cutoff}'})")
        finding = {"id": target["id"], "kind": target["kind"]}
        total_before = self.text("mine-corpus-total")
        self.click_fresh(f'#findings-table tr[data-id="{target["id"]}"] button.add-negative')
        self.wait("#mine-status to report the added clip", lambda d: self.text("mine-status").startswith("Added"))
        self.wait(f"#findings-table row {finding['id']} to show 'added'", lambda d: self.js(
            "const r = document.querySelector(`#findings-table tr[data-id=\"${CSS.escape(arguments[0])}\"]`); return !!r && r.classList.contains('added');", finding["id"]))
        self.screenshot("mine-added")
        self.check_banner()
        result.update({"finding": finding, "corpus_total_before": int(total_before.replace(",", "")),
                       "corpus_total_after": int(self.text("mine-corpus-total").replace(",", "")), "status": self.text("mine-status")})
        if restore is not None:
            self.save_operating_point(evaluation, restore)
            result["operating_point"]["restored_to"] = float(self.el("frr-value").get_attribute("data-cutoff"))
            self.check_banner()
        self.out["mine"] = result

    def deploy(self):
        a = self.args
        self.open("deploy", fresh=True)
        self.select("deploy-model", a.deploy_model)
        self.select("deploy-target", a.deploy_target)
        # The per-layer cost for the chosen model is what the page draws once the model changes.
        self.wait("#cost-table for the chosen model", lambda d: d.find_elements(By.ID, "cost-table"), timeout=a.timeout)
        link = self.el("dl-esphome")
        self.wait(f"#dl-esphome to point at {a.deploy_model}", lambda d: f"/models/{a.deploy_model}/download/esphome" in (link.get_attribute("href") or ""))
        before = set(os.listdir(self.downloads))
        link.click()
        def finished(d):
            new = [f for f in os.listdir(self.downloads) if f not in before]
            if not new or any(f.endswith(".crdownload") or f.startswith(".") for f in new):
                return None
            return new
        new = self.wait(f"a download in {self.downloads}", finished, timeout=a.timeout)
        self.screenshot("deploy")
        self.check_banner()
        self.out["deploy"] = {"model": a.deploy_model, "href": link.get_attribute("href"), "files": [os.path.join(self.downloads, f) for f in sorted(new)],
                              "cost_rows": len(self.el("cost-table").find_elements(By.CSS_SELECTOR, "tbody tr[data-index]"))}

    def listen(self):
        a = self.args
        self.open("listen", fresh=True)
        self.select("listen-model", a.listen_model)
        result = {"model": a.listen_model}
        if a.listen_wav:
            # A file goes through POST /listen: its detections are the server's, times from the file's start.
            self.el("listen-file").send_keys(os.path.abspath(a.listen_wav))
            self.wait("#listen-status to report the scored file", lambda d: "detection" in self.text("listen-status") and "Scoring" not in self.text("listen-status"),
                      timeout=a.timeout)
            result["file_detections"] = [float(li.get_attribute("data-time-s")) for li in self.el("listen-detections").find_elements(By.CSS_SELECTOR, "li[data-time-s]")]
            result["file_status"] = self.text("listen-status")
            self.screenshot("listen-file")
        if a.fake_audio:
            self.el("listen-start").click()
            started = time.time()
            self.wait("#listen-stop to be enabled (microphone open)", lambda d: self.el("listen-stop").is_enabled())
            self.wait("#listen-detections to get an item from the microphone",
                      lambda d: d.find_elements(By.CSS_SELECTOR, "#listen-detections li[data-time-s]"), timeout=a.listen_timeout)
            items = self.el("listen-detections").find_elements(By.CSS_SELECTOR, "li[data-time-s]")
            result["live_detections"] = [float(li.get_attribute("data-time-s")) for li in items]
            # Latency needs a few chunks to settle: wait for enough answered chunks, then read the readout.
            self.wait(f"#listen-latency[data-count] >= {a.latency_chunks}",
                      lambda d: int(self.el("listen-latency").get_attribute("data-count") or 0) >= a.latency_chunks, timeout=a.listen_timeout)
            lat = self.js("return (window.harkenListenLatencies || []).slice();") or []
            result["latency"] = {"text": self.text("listen-latency"), "median_ms": float(self.el("listen-latency").get_attribute("data-median-ms") or "nan"),
                                 "count": len(lat), "samples_ms": [round(x, 2) for x in lat]}
            result["live_status"] = self.text("listen-status")
            result["live_seconds"] = round(time.time() - started, 1)
            self.screenshot("listen-live")
            self.el("listen-stop").click()
        self.check_banner()
        self.out["listen"] = result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url")
    p.add_argument("steps", nargs="+", choices=STEPS + ["all"])
    p.add_argument("--artifacts", required=True, help="folder for the screenshots (and downloads unless --download-dir)")
    p.add_argument("--download-dir")
    p.add_argument("--token")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    p.add_argument("--timeout", type=float, default=60, help="seconds for each wait that is not a job")
    p.add_argument("--preset", default="tiny")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--run-name", default="browser-run")
    p.add_argument("--train-timeout", type=float, default=600)
    p.add_argument("--eval-model", default="hey_jarvis")
    p.add_argument("--eval-split", default="train")
    p.add_argument("--eval-split-fallback", default="validation", help="the split used when the page does not offer --eval-split")
    p.add_argument("--eval-timeout", type=float, default=300)
    p.add_argument("--cutoffs", default="0.05,0.3,0.5,0.9")
    p.add_argument("--play-cutoffs", default="0.5,0.3,0.1,0.05", help="cutoffs to try, in turn, when #fa-list is empty")
    p.add_argument("--mine-evaluation")
    p.add_argument("--mine-cutoff", type=float, default=0.05,
                   help="when the model's own cutoff leaves nothing to mine as a negative, save this operating point first (and restore it after)")
    p.add_argument("--deploy-model", default="browser-run")
    p.add_argument("--deploy-target", default="stm32f4", help="a board Harken's cost model is calibrated for")
    p.add_argument("--allow-banner", action="append", default=[], metavar="CODE",
                   help="an error code the banner may show without failing the step (recorded in banners_allowed)")
    p.add_argument("--listen-model", default="hey_jarvis")
    p.add_argument("--listen-wav", help="a WAV dropped on #listen-file")
    p.add_argument("--fake-audio", help="a WAV Chromium's fake microphone loops (enables the live part of listen)")
    p.add_argument("--listen-timeout", type=float, default=90)
    p.add_argument("--latency-chunks", type=int, default=50)
    p.add_argument("--json-out", help="also write the JSON here")
    a = p.parse_args()
    a.cutoffs = [float(x) for x in a.cutoffs.split(",") if x]
    a.play_cutoffs = [float(x) for x in a.play_cutoffs.split(",") if x]
    steps = STEPS if "all" in a.steps else a.steps

    s = Studio(a)
    code = 0
    try:
        for step in steps:
            s.step = step
            began = time.time()
            getattr(s, step)()
            s.out.setdefault("seconds", {})[step] = round(time.time() - began, 1)
    except (StepFailed, WebDriverException) as e:
        msg = str(e) if isinstance(e, StepFailed) else f"step {s.step}: WebDriver: {e.msg if hasattr(e, 'msg') else e}"
        try:
            path = os.path.join(s.artifacts, f"FAILED-{s.step}.png")
            s.driver.save_screenshot(path)
            msg += f" [screenshot {path}]"
        except Exception:
            pass
        try:
            logs = [e["message"] for e in s.driver.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")][-10:]
            if logs:
                msg += "\nbrowser console:\n  " + "\n  ".join(logs)
        except Exception:
            pass
        print(f"studio_browser: {msg}", file=sys.stderr)
        s.out["failed"] = msg
        code = 1
    finally:
        s.quit()
    text = json.dumps(s.out, sort_keys=True)
    if a.json_out:
        with open(a.json_out, "w") as f:
            f.write(text + "\n")
    print(text)
    sys.exit(code)


if __name__ == "__main__":
    main()
