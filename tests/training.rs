//! Training mode: a trainee case is built from a scenario, graded against its key; the model
//! answer scores 100, an empty case 0, and a partial one in between with what was missed.

mod common;

use common::*;
use threadline::case::review::ItemRef;
use threadline::{CancelToken, Case, NoProgress};

fn start(dir: &std::path::Path, trainee: &str) -> threadline::training::Started {
    threadline::training::start("labour-job-ads", trainee, dir, 7, &NoProgress, &CancelToken::new()).unwrap()
}

#[test]
fn a_trainee_case_is_built_with_the_key_kept_apart() {
    let t = tempfile::tempdir().unwrap();
    let s = start(t.path(), "Alex Trainee");
    assert!(s.case.ends_with("alex-trainee/alex-trainee.tlcase"));
    assert!(s.instructor.join("answer_key.json").is_file());
    assert!(s.instructor.join("instructor.fr.md").is_file());
    assert!(!s.evidence.join("answer_key.json").exists(), "the key must not sit in the trainee's evidence");
    assert!(s.briefs.iter().all(|b| b.is_file()));
    assert!(std::fs::read_to_string(&s.briefs[1]).unwrap().contains("Vos tâches"));
    assert_eq!(s.sources.len(), 4);
    assert!(s.sources.iter().all(|x| x.status == "complete"), "{:?}", s.sources);
    let case = Case::open_read_only(&s.case).unwrap();
    assert_eq!(case.info().unwrap().examiner, "Alex Trainee");
    // Starting twice for the same trainee is refused rather than mixing two cases.
    assert!(threadline::training::start("labour-job-ads", "Alex Trainee", t.path(), 7, &NoProgress, &CancelToken::new()).is_err());
    assert_eq!(verify_json(&s.case).0, 0);
}

#[test]
fn empty_scores_zero_model_answer_scores_one_hundred_partial_in_between() {
    let t = tempfile::tempdir().unwrap();
    let s = start(t.path(), "empty");
    let case = Case::open_read_only(&s.case).unwrap();
    let (key, _, warning) = threadline::training::key_for(&case, None).unwrap();
    assert!(warning.is_none());
    let empty = threadline::training::score(&case, &key, None).unwrap();
    assert_eq!(empty.overall, 0.0);
    assert!(empty.tasks.iter().all(|t| t.recall == 0.0 && t.expected > 0), "{empty:?}");
    drop(case);

    // The model answer scores 100 on every task.
    let mut case = Case::open(&s.case, "test").unwrap();
    threadline::training::solve(&mut case, &key).unwrap();
    let full = threadline::training::score(&case, &key, None).unwrap();
    for task in &full.tasks {
        assert_eq!((task.precision, task.recall), (1.0, 1.0), "{task:?}");
    }
    assert_eq!(full.overall, 100.0);

    // A partial trainee: one right indicator tag, one wrong.
    let p = start(t.path(), "partial");
    let mut case = Case::open(&p.case, "test").unwrap();
    let m = key.messages.iter().find(|m| !m.indicators.is_empty()).unwrap();
    let copy = &m.copies[0];
    let sources = case.sources().unwrap();
    let src = sources.iter().find(|s| s.path.contains(&format!("/{}/", copy.device))).unwrap();
    let item = ItemRef { source_id: src.id, path: threadline::vfs::normalise(&copy.file).path, table: Some(copy.table.clone()), row_id: Some(copy.row_id) };
    case.add_tag(&item, &m.indicators[0], Some("right")).unwrap();
    case.add_tag(&item, "SX-99", Some("wrong id")).unwrap();
    case.add_tag(&item, "suspicious", Some("free tags are not graded")).unwrap();
    let r = threadline::training::score(&case, &key, None).unwrap();
    let ind = &r.tasks[0];
    assert_eq!(ind.task, "indicators");
    assert_eq!((ind.submitted, ind.correct, ind.found), (2, 1, 1));
    assert_eq!(ind.precision, 0.5);
    assert!(ind.recall > 0.0 && ind.recall < 0.2, "{}", ind.recall);
    assert_eq!(ind.missed.len(), ind.expected - 1);
    // Missed items point into the evidence: device, file, table and row.
    assert!(ind.missed.iter().any(|x| x.contains("table message row")), "{:?}", ind.missed);
    assert!(r.overall > 0.0 && r.overall < 20.0, "{}", r.overall);
}

#[test]
fn people_are_matched_across_identifier_formats() {
    let t = tempfile::tempdir().unwrap();
    let s = start(t.path(), "people");
    let mut case = Case::open(&s.case, "test").unwrap();
    let (key, _, _) = threadline::training::key_for(&case, None).unwrap();
    // The recruiter entered with his number in national format only.
    let p2 = key.persons.iter().find(|p| p.roles.iter().any(|r| r == "recruiter")).unwrap();
    let national = p2.identifiers.iter().find(|i| i.kind == "phone").unwrap().value.clone();
    let id = case.add_person("the recruiter", &[("phone".into(), national)]).unwrap();
    case.set_role(id, "recruiter", None).unwrap();
    let r = threadline::training::score(&case, &key, None).unwrap();
    let roles = r.tasks.iter().find(|t| t.task == "roles").unwrap();
    assert_eq!((roles.correct, roles.submitted), (1, 1), "{roles:?}");
    let people = r.tasks.iter().find(|t| t.task == "people").unwrap();
    assert_eq!(people.correct, 1);
    assert!(people.missed.iter().any(|m| m.contains(&p2.key)), "{:?}", people.missed);
    // Unknown roles and bad items are refused with a clear message.
    assert!(case.set_role(id, "mastermind", None).unwrap_err().to_string().contains("unknown role"));
    let bad = ItemRef { source_id: 1, path: "/no/such/file".into(), table: None, row_id: None };
    assert!(case.add_tag(&bad, "LB-01", None).unwrap_err().to_string().contains("has no entry"));
}

#[test]
fn cli_train_commands() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("training");
    let o = run(&[&"train", &"start", &"labour-job-ads", &"--trainee", &"Sam", &"--out", &out]);
    assert!(o.status.success(), "{}", text(&o));
    let case = out.join("sam/sam.tlcase");
    let o = run(&[&"train", &"score", &case, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["overall"], 0.0);
    let o = run(&[&"tag", &"add", &case, &"--source", &"1", &"--path", &"/nope", &"LB-01"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("has no entry '/nope'"));
    let o = run(&[&"train", &"solve", &case]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&[&"train", &"score", &case]);
    assert!(text(&o).contains("overall score: 100.0 / 100"), "{}", text(&o));
    let o = run(&[&"person", &"list", &case]);
    assert!(text(&o).contains("recruiter"));
    // Every review action is in the audit log, and the case still verifies.
    assert!(count(&case, "SELECT count(*) FROM audit_log WHERE action = 'tag.add'") > 10);
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn every_scenario_has_briefs_and_its_model_answer_scores_one_hundred() {
    let list = threadline::training::list();
    assert!(list.len() >= 3);
    for sc in list {
        assert!(sc.has_brief, "{} has no brief", sc.name);
        let t = tempfile::tempdir().unwrap();
        let s = threadline::training::start(&sc.name, "model", t.path(), 2, &NoProgress, &CancelToken::new()).unwrap();
        assert!(s.sources.iter().all(|x| x.status == "complete"), "{}: {:?}", sc.name, s.sources);
        let mut case = Case::open(&s.case, "test").unwrap();
        let (key, _, _) = threadline::training::key_for(&case, None).unwrap();
        assert_eq!(threadline::training::score(&case, &key, None).unwrap().overall, 0.0, "{}", sc.name);
        threadline::training::solve(&mut case, &key).unwrap();
        let r = threadline::training::score(&case, &key, None).unwrap();
        for task in &r.tasks {
            assert_eq!((task.precision, task.recall), (1.0, 1.0), "{}: {task:?}", sc.name);
        }
        assert_eq!(r.overall, 100.0, "{}", sc.name);
    }
}
