//! The keyboard: key presses sent to whatever has focus, as a person would.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{json, Value};

use super::Browser;

impl Browser {
    pub async fn press(&self, keys: &[char]) {
        let mut actions = KeyActions::new("keyboard".into());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.wd.perform_actions(actions).await.unwrap();
    }

    /// A key pressed while `modifier` is held down.
    pub async fn chord(&self, modifier: Key, key: Key) {
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down {
                value: modifier.into(),
            })
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() })
            .then(KeyAction::Up {
                value: modifier.into(),
            });
        self.wd.perform_actions(actions).await.unwrap();
    }

    pub async fn type_text(&self, text: &str) {
        self.press(&text.chars().collect::<Vec<_>>()).await;
    }

    pub async fn focused_matches(&self, css: &str) -> bool {
        self.js(
            "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
            vec![json!(css)],
        )
        .await
            == Value::Bool(true)
    }

    /// Presses Tab until the element matching `css` has focus.
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..60 {
            if self.focused_matches(css).await {
                return;
            }
            self.press(&[Key::Tab.into()]).await;
        }
        panic!("Tab never reached `{css}`\n{}", self.describe().await);
    }
}
