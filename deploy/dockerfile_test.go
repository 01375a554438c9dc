package deploy_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// instruction is one Dockerfile line, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, USER, ...
	args string
}

// dockerStages splits deploy/Dockerfile into its build stages.
func dockerStages(t *testing.T) [][]instruction {
	t.Helper()
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stages [][]instruction
	var line string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(text, "\\"); ok {
			line += cont + " "
			continue
		}
		line += text
		cmd, args, _ := strings.Cut(line, " ")
		line = ""
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before the first FROM", in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a runtime stage", len(stages))
	}
	return stages
}

func find(stage []instruction, cmd string) []string {
	var out []string
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// execForm decodes a JSON-array instruction argument; nil if not exec form.
func execForm(t *testing.T, args string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		return nil
	}
	return v
}

func TestDockerfileFinalStage(t *testing.T) {
	stages := dockerStages(t)
	final := stages[len(stages)-1]
	base := final[0].args
	if !strings.Contains(base, "distroless/static") && base != "scratch" {
		t.Errorf("final stage FROM %s, want distroless static or scratch", base)
	}
	users := find(final, "USER")
	if len(users) == 0 || isRootUser(users[len(users)-1]) {
		t.Errorf("final stage USER %v, want a non-root UID", users)
	}
	entry := find(final, "ENTRYPOINT")
	if len(entry) != 1 || len(execForm(t, entry[0])) != 1 {
		t.Fatalf("ENTRYPOINT %v, want one exec-form binary path", entry)
	}
	bin := execForm(t, entry[0])[0]
	hc := find(final, "HEALTHCHECK")
	if len(hc) != 1 {
		t.Fatalf("final stage has %d HEALTHCHECK lines, want 1", len(hc))
	}
	_, cmd, ok := strings.Cut(hc[0], "CMD ")
	probe := execForm(t, strings.TrimSpace(cmd))
	if !ok || len(probe) < 2 || probe[0] != bin || !subcommands(t)[probe[1]] {
		t.Errorf("HEALTHCHECK %q, want CMD [%q, <omnify subcommand>]: the image has no shell or curl", hc[0], bin)
	}
	if cmds := find(final, "CMD"); len(cmds) != 1 || !isSubcommand(t, execForm(t, cmds[0])) {
		t.Errorf("CMD %v is not an omnify subcommand in exec form", cmds)
	}
	var env []string
	for _, e := range find(final, "ENV") {
		for _, f := range strings.Fields(e) {
			name, _, _ := strings.Cut(f, "=")
			env = append(env, name)
		}
	}
	checkEnvNames(t, binaryEnv(t), env)
}

func isSubcommand(t *testing.T, args []string) bool {
	return len(args) > 0 && subcommands(t)[args[0]]
}

var goDirective = regexp.MustCompile(`(?m)^go (\d+\.\d+)`)

func TestDockerfileBuildsAStaticVersionedBinary(t *testing.T) {
	stages := dockerStages(t)
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := goDirective.FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	var build []instruction
	for _, s := range stages {
		if strings.HasPrefix(s[0].args, "golang:") {
			build = s
		}
	}
	if build == nil {
		t.Fatal("no golang build stage")
	}
	if want := "golang:" + string(m[1]); !strings.HasPrefix(build[0].args, want) {
		t.Errorf("build stage FROM %s, want %s to match go.mod", build[0].args, want)
	}
	runs := strings.Join(find(build, "RUN"), "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-X github.com/omnify-cloud/omnify.Version=", "./cmd/omnify"} {
		if !strings.Contains(runs, want) {
			t.Errorf("build stage RUN lacks %q", want)
		}
	}
	webBuilt := false
	for _, s := range stages {
		if strings.Contains(strings.Join(find(s, "RUN"), "\n"), "npm run build") {
			webBuilt = true
		}
	}
	if !webBuilt {
		t.Error("no stage builds the dashboard (npm run build): the binary would embed no UI")
	}
}

func TestWorkflow(t *testing.T) {
	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	decodeYAML(t, filepath.Join(root, ".github", "workflows", "ci.yml"), &wf)
	var runs []string
	var dockerfile string
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			runs = append(runs, s.Run)
			if strings.HasPrefix(s.Uses, "docker/build-push-action") {
				dockerfile = s.With["file"]
			}
		}
	}
	all := strings.Join(runs, "\n")
	for _, want := range []string{"make vet", "make test-go"} {
		if !strings.Contains(all, want) {
			t.Errorf("workflow never runs %q", want)
		}
	}
	if dockerfile == "" {
		t.Fatal("workflow builds no image")
	}
	if _, err := os.Stat(filepath.Join(root, dockerfile)); err != nil {
		t.Errorf("workflow builds %s: %v", dockerfile, err)
	}
	if _, ok := wf.On["pull_request"]; !ok {
		t.Error("workflow does not run on pull requests")
	}
}
