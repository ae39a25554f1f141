# A coder template fragment: four coder_scripts that coder starts all at once when the workspace starts, and that
# order themselves with syncctl (README.md beside this file). Use it as a module of a template with a coder_agent:
#
#   module "startup" {
#     source   = "./startup"      # this directory, copied into the template
#     agent_id = coder_agent.main.id
#     repo_url = "https://github.com/your-org/your-app.git"
#   }
#
# The workspace image needs syncctl and sync-agent on PATH (scripts/install.sh of sync-agent; see
# examples/devcontainer/Dockerfile). The first syncctl call starts the agent; nothing else is needed.
#
#   git-clone ──► deps-install ──► dev-server (ready: answers over http) ──► ai-agent
#       └──────────────────────────────────────────────────────────────────────┘

terraform {
  required_providers {
    coder = {
      source = "coder/coder"
    }
  }
}

variable "agent_id" {
  type        = string
  description = "The id of the coder_agent the scripts run on."
}

variable "repo_url" {
  type        = string
  description = "The repository to clone."
}

variable "repo_dir" {
  type        = string
  description = "Where to clone it."
  default     = "/home/coder/project"
}

variable "dev_server_port" {
  type        = number
  description = "The port the dev server listens on (127.0.0.1)."
  default     = 3000
}

# The scripts read their settings from the environment, so that each body is a plain script kept in scripts/
# (runnable and tested as it is) rather than a template.
resource "coder_env" "repo_url" {
  agent_id = var.agent_id
  name     = "REPO_URL"
  value    = var.repo_url
}

resource "coder_env" "repo_dir" {
  agent_id = var.agent_id
  name     = "REPO_DIR"
  value    = var.repo_dir
}

resource "coder_env" "dev_server_port" {
  agent_id = var.agent_id
  name     = "DEV_SERVER_PORT"
  value    = tostring(var.dev_server_port)
}

resource "coder_script" "git_clone" {
  agent_id     = var.agent_id
  display_name = "Clone the repository"
  icon         = "/icon/git.svg"
  run_on_start = true
  script       = file("${path.module}/scripts/git-clone.sh")
}

resource "coder_script" "deps_install" {
  agent_id     = var.agent_id
  display_name = "Install dependencies"
  icon         = "/icon/package.svg"
  run_on_start = true
  script       = file("${path.module}/scripts/deps-install.sh")
}

resource "coder_script" "dev_server" {
  agent_id     = var.agent_id
  display_name = "Dev server"
  icon         = "/icon/code.svg"
  run_on_start = true
  script       = file("${path.module}/scripts/dev-server.sh")
}

resource "coder_script" "ai_agent" {
  agent_id     = var.agent_id
  display_name = "AI agent"
  icon         = "/icon/claude.svg"
  run_on_start = true
  script       = file("${path.module}/scripts/ai-agent.sh")
}

resource "coder_app" "dev_server" {
  agent_id     = var.agent_id
  slug         = "dev-server"
  display_name = "Dev server"
  url          = "http://localhost:${var.dev_server_port}"
}
