//! The patient and two clinicians save the plan at the same moment, from the same
//! version, round after round: exactly one save wins each round, the others get 412
//! with the winner's version, and every winning version is kept whole.

use super::{plan, put, A_AS_CLINICIAN, MINE};
use crate::common::*;
use serde_json::Value;

const ROUNDS: i64 = 8;

#[tokio::test(flavor = "multi_thread")]
async fn three_people_saving_at_once_one_wins_each_round_and_nothing_is_lost() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let dr_two = second_clinician_of_a(&server, &world, "dr.two").await;
    put(&world.patient_a, MINE, &plan("start"), None)
        .await
        .expect(200);
    let writers = [
        (&world.patient_a, MINE),
        (&world.dr_in, A_AS_CLINICIAN),
        (&dr_two, A_AS_CLINICIAN),
    ];
    let mut winners: Vec<Value> = vec![plan("start")];
    for round in 1..=ROUNDS {
        let tag = format!("\"{round}\"");
        let bodies: Vec<Value> = (0..writers.len())
            .map(|writer| plan(&format!("round {round} writer {writer}")))
            .collect();
        let replies = futures_util::future::join_all(
            writers
                .iter()
                .zip(&bodies)
                .map(|((client, path), body)| put(client, path, body, Some(&tag))),
        )
        .await;
        let won: Vec<usize> = (0..replies.len())
            .filter(|i| replies[*i].status == 200)
            .collect();
        assert_eq!(
            won.len(),
            1,
            "round {round}: {:?}",
            replies.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        for (i, reply) in replies.iter().enumerate() {
            if i != won[0] {
                assert_eq!(reply.status, 412, "round {round}: {}", reply.body);
                assert_eq!(reply.body["error"]["current_version"], round + 1);
            }
        }
        assert_eq!(replies[won[0]].body["version"], round + 1);
        winners.push(bodies[won[0]].clone());
    }
    let versions = world
        .patient_a
        .get("/api/safety-plan/versions")
        .await
        .expect(200)
        .body;
    let versions = versions["versions"].as_array().unwrap();
    assert_eq!(versions.len() as i64, ROUNDS + 1);
    // Newest first: version n holds exactly what the winner of round n - 1 sent.
    for (version, winner) in versions.iter().rev().zip(&winners) {
        assert_eq!(version["warning_signs"], winner["warning_signs"]);
        assert_eq!(version["reasons_for_living"], winner["reasons_for_living"]);
    }
}
