//! `changenet slurm`: a ready `sbatch` job-array script whose task K runs shard K of N
//! (`run`, `sweep` or `compare` with `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`)
//! into `DIR/shard-K/`, and a
//! `merge.sh` that combines the shards into `DIR/merged/`. Paths are made absolute (tasks
//! may start in another folder) and every argument is shell-quoted.

use std::path::{Path, PathBuf};

/// Quotes a word for a POSIX shell.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// What each array task runs on its shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Command {
    Run,
    Sweep,
    Compare,
}

impl Command {
    fn name(self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Sweep => "sweep",
            Command::Compare => "compare",
        }
    }
}

/// Writes `DIR/job.sbatch` and `DIR/merge.sh`; returns their paths.
pub fn write_scripts(
    scenario: &Path,
    command: Command,
    tasks: u32,
    dir: &Path,
    pass: &[String],
) -> std::io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir.join("logs"))?;
    let dir = std::path::absolute(dir)?;
    let bin = std::env::current_exe()?;
    let q = |p: &Path| quote(&p.display().to_string());
    let scenario = std::path::absolute(scenario)?;
    let args: Vec<String> = pass.iter().map(|a| quote(a)).collect();
    let job = format!(
        "#!/bin/bash\n\
         #SBATCH --job-name=changenet\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --output={logs}/%A_%a.log\n\
         # Task K of N runs shard K/N of the {command}; merge.sh combines them afterwards.\n\
         set -euo pipefail\n\
         exec {bin} {command} {scenario} {args} --quiet \\\n  --shard \"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT\" \\\n  --out {dir}/\"shard-$SLURM_ARRAY_TASK_ID\"\n",
        last = tasks.saturating_sub(1),
        command = command.name(),
        logs = dir.join("logs").display(),
        bin = q(&bin),
        scenario = q(&scenario),
        args = args.join(" "),
        dir = q(&dir),
    );
    let shards: Vec<String> = (0..tasks)
        .map(|k| q(&dir.join(format!("shard-{k}"))))
        .collect();
    let merge = format!(
        "#!/bin/sh\n# Combines the {tasks} shards of job.sbatch into merged/.\nset -e\nexec {} merge {} --out {}\n",
        q(&bin),
        shards.join(" "),
        q(&dir.join("merged"))
    );
    let (jp, mp) = (dir.join("job.sbatch"), dir.join("merge.sh"));
    std::fs::write(&jp, job)?;
    std::fs::write(&mp, merge)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [&jp, &mp] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok((jp, mp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_every_shard_and_quote_arguments() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        let dir = tempfile::tempdir().unwrap();
        let pass = ["--set".to_string(), "name=a b".to_string()];
        let (job, merge) =
            write_scripts(Path::new("s.ron"), Command::Sweep, 4, dir.path(), &pass).unwrap();
        let job = std::fs::read_to_string(job).unwrap();
        assert!(job.contains("#SBATCH --array=0-3\n"), "{job}");
        assert!(job.contains("'--set' 'name=a b' --quiet"), "{job}");
        assert!(job.contains("' sweep '"), "{job}");
        assert!(job.contains("--shard \"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT\""));
        let merge = std::fs::read_to_string(merge).unwrap();
        assert!(merge.contains("/shard-3' --out "), "{merge}");
    }
}
