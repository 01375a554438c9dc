package deploy_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	ReadOnly bool     `yaml:"read_only"`
	User     string   `yaml:"user"`
	Ports    []string `yaml:"ports"`
	Volumes  []string `yaml:"volumes"`
}

// omnifyServices are the compose services that run the omnify binary.
var omnifyServices = []string{"api", "worker"}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	decodeYAML(t, "docker-compose.yml", &c)
	if len(c.Services) == 0 {
		t.Fatal("docker-compose.yml has no services")
	}
	return c
}

func TestComposeHasTheWholeStack(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"api", "worker", "mongo", "redis", "rabbitmq", "prometheus", "grafana", "loki"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("service %q missing", name)
		}
	}
	if img := c.Services["rabbitmq"].Image; !strings.Contains(img, "management") {
		t.Errorf("rabbitmq image %q has no management UI", img)
	}
}

func TestComposeEveryServiceHasAHealthcheck(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		hc := s.Healthcheck
		if hc == nil || len(hc.Test) < 2 || hc.Test[0] == "NONE" {
			t.Errorf("service %q: no health check", name)
			continue
		}
		if hc.Test[0] != "CMD" && hc.Test[0] != "CMD-SHELL" {
			t.Errorf("service %q: health check test starts with %q, want CMD or CMD-SHELL", name, hc.Test[0])
		}
	}
}

func TestComposeOmnifyServices(t *testing.T) {
	c := loadCompose(t)
	env, cmds := binaryEnv(t), subcommands(t)
	image := c.Services["api"].Image
	if image == "" {
		t.Fatal("api has no image")
	}
	for _, name := range omnifyServices {
		t.Run(name, func(t *testing.T) {
			s := c.Services[name]
			if s.Image != image {
				t.Errorf("image %q, want the api's %q", s.Image, image)
			}
			if len(s.Command) == 0 || !cmds[s.Command[0]] {
				t.Errorf("command %q is not an omnify subcommand (have %v)", s.Command, keys(cmds))
			}
			if hc := s.Healthcheck; hc == nil || len(hc.Test) < 3 || hc.Test[1] != "/omnify" || !cmds[hc.Test[2]] {
				t.Errorf("health check does not run an omnify subcommand: %+v", hc)
			}
			checkEnvNames(t, env, keys(s.Environment))
			if !s.ReadOnly {
				t.Error("root filesystem is writable; want read_only: true")
			}
			if isRootUser(s.User) {
				t.Errorf("runs as user %q, want a non-root UID", s.User)
			}
			if len(s.Command) > 0 && s.Environment[listenVar[s.Command[0]]] == "" {
				t.Errorf("%s unset: %s would not answer health checks or scrapes from outside", listenVar[s.Command[0]], s.Command[0])
			}
		})
	}
	if got := c.Services["api"].Command; !slices.Contains(got, "serve") || !slices.Contains(got, "--no-worker") {
		t.Errorf("api command %q, want serve --no-worker so jobs run in the worker only", got)
	}
}

// listenVar names the variable holding the address each omnify
// subcommand answers /health and /metrics on.
var listenVar = map[string]string{"serve": "OMNIFY_ADDR", "worker": "OMNIFY_HEALTH_ADDR"}

// composePort is the port the compose service's omnify process listens on.
func composePort(t *testing.T, c composeFile, service string) int {
	t.Helper()
	s := c.Services[service]
	if len(s.Command) == 0 {
		t.Fatalf("service %s has no command", service)
	}
	return portOf(t, s.Environment[listenVar[s.Command[0]]])
}

// TestComposePortsLineUp checks that the published port, the port each
// omnify process listens on and the port Prometheus scrapes are the same.
func TestComposePortsLineUp(t *testing.T) {
	c := loadCompose(t)
	port := composePort(t, c, "api")
	published := false
	for _, p := range c.Services["api"].Ports {
		parts := strings.Split(p, ":")
		if parts[len(parts)-1] == strconv.Itoa(port) {
			published = true
		}
	}
	if !published {
		t.Errorf("api ports %v do not publish the listen port %d", c.Services["api"].Ports, port)
	}
	for _, job := range loadPrometheus(t).omnifyJobs(t) {
		for _, target := range job.targets() {
			if want := composePort(t, c, target.host); target.port != want {
				t.Errorf("prometheus job %q scrapes %s:%d, which listens on %d", job.JobName, target.host, target.port, want)
			}
		}
	}
}

func TestComposeMountsExist(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		for _, v := range s.Volumes {
			src := strings.Split(v, ":")[0]
			if !strings.HasPrefix(src, "./") {
				continue
			}
			if _, err := os.Stat(filepath.FromSlash(src)); err != nil {
				t.Errorf("service %q mounts %s: %v", name, src, err)
			}
		}
	}
}

func checkEnvNames(t *testing.T, known map[string]bool, names []string) {
	t.Helper()
	for _, n := range names {
		if strings.HasPrefix(n, "OMNIFY_") && !known[n] {
			t.Errorf("environment variable %s is not a setting of the omnify binary", n)
		}
	}
}

func isRootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "" || name == "0" || name == "root"
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestIsRootUser(t *testing.T) {
	for u, want := range map[string]bool{"": true, "0": true, "root": true, "0:0": true, "65532:65532": false, "nonroot": false} {
		if got := isRootUser(u); got != want {
			t.Errorf("isRootUser(%q) = %v, want %v", u, got, want)
		}
	}
}
