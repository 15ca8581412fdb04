// Every screen: its path, its view, who may see it and which nav entry it belongs to.
// The server answers a reload or a bookmark of these paths with the app; it keeps the
// same list (src/web/screens.rs, whose test compares the two): add a screen to both.
//   public: shown signed out (and skipped when signed in); otherwise sign in first
//   open:   shown signed in or out (the screens that mailed links open)
//   roles:  only for these roles (others get "not part of your account")
//   nav:    the main navigation entry marked as current
//   view:   the name of the screen's function in the module `from` loads
//   data:   the GET the view makes first, started on a page load while the session is
//           restored rather than after it

// Each screen's code is fetched when it is first shown, so the first page needs only the
// app's frame and the screen it opens on.
const admin = () => import('./views/admin.js');
const alerts = () => import('./views/alerts.js');
const auth = () => import('./views/auth.js');
const cbt = () => import('./views/cbt.js');
const cbtEdit = () => import('./views/cbt-edit.js');
const clinician = () => import('./views/clinician.js');
const feedback = () => import('./views/feedback.js');
const home = () => import('./views/home.js');
const measures = () => import('./views/measures.js');
const messages = () => import('./views/messages.js');
const mood = () => import('./views/mood.js');
const patient = () => import('./views/patient.js');
const questionnaire = () => import('./views/questionnaire.js');
const recovery = () => import('./views/recovery.js');
const safetyPlan = () => import('./views/safety-plan.js');
const settings = () => import('./views/settings.js');
const support = () => import('./views/support.js');

export const routes = [
  { path: '/signin', view: 'signinView', from: auth, public: true, title: 'Sign in' },
  { path: '/register', view: 'registerView', from: auth, public: true, title: 'Create an account' },
  { path: '/forgot-password', view: 'forgotPasswordView', from: recovery, public: true, title: 'Forgot your password?' },
  { path: '/reset-password', view: 'resetPasswordView', from: recovery, open: true, title: 'Choose a new password' },
  { path: '/verify-email', view: 'verifyEmailView', from: recovery, open: true, title: 'Confirm your email address' },
  { path: '/unsubscribe', view: 'unsubscribeView', from: recovery, open: true, title: 'New-message emails' },
  { path: '/', view: 'homeView', from: home, data: '/api/home/data', nav: 'home', title: 'Home' },
  { path: '/messages', view: 'inboxView', from: messages, nav: 'messages', title: 'Messages' },
  { path: '/messages/new', view: 'composeView', from: messages, nav: 'messages', title: 'New message' },
  { path: '/messages/:id', view: 'conversationView', from: messages, nav: 'messages', title: 'Conversation' },
  { path: '/support', view: 'supportView', from: support, nav: 'messages', roles: ['patient', 'clinician'], title: 'Contact support' },
  { path: '/mood', view: 'moodView', from: mood, nav: 'mood', roles: ['patient'], title: 'Mood' },
  { path: '/measures', view: 'measuresView', from: measures, nav: 'mood', roles: ['patient'], title: 'Questionnaires' },
  { path: '/measures/:instrument', view: 'questionnaireView', from: questionnaire, nav: 'mood', roles: ['patient'], title: 'Questionnaire' },
  { path: '/cbt', view: 'cbtView', from: cbt, nav: 'home', roles: ['patient'], title: 'Homework and exercises' },
  { path: '/cbt/thought-records', view: 'thoughtRecordsView', from: cbt, nav: 'home', roles: ['patient'], title: 'Thought records' },
  { path: '/cbt/thought-records/new', view: 'thoughtRecordView', from: cbtEdit, nav: 'home', roles: ['patient'], title: 'New thought record' },
  { path: '/cbt/thought-records/:id', view: 'thoughtRecordView', from: cbtEdit, nav: 'home', roles: ['patient'], title: 'Thought record' },
  { path: '/cbt/activities', view: 'activitiesView', from: cbt, nav: 'home', roles: ['patient'], title: 'Planned activities' },
  { path: '/cbt/activities/new', view: 'activityView', from: cbtEdit, nav: 'home', roles: ['patient'], title: 'Plan an activity' },
  { path: '/cbt/activities/:id', view: 'activityView', from: cbtEdit, nav: 'home', roles: ['patient'], title: 'Activity' },
  { path: '/cbt/exposure-ladders', view: 'laddersView', from: cbt, nav: 'home', roles: ['patient'], title: 'Exposure ladders' },
  { path: '/cbt/exposure-ladders/new', view: 'ladderView', from: cbtEdit, nav: 'home', roles: ['patient'], title: 'New exposure ladder' },
  { path: '/cbt/exposure-ladders/:id', view: 'ladderView', from: cbtEdit, nav: 'home', roles: ['patient'], title: 'Exposure ladder' },
  { path: '/safety-plan', view: 'safetyPlanView', from: safetyPlan, nav: 'home', roles: ['patient'], title: 'My safety plan' },
  { path: '/feedback', view: 'feedbackView', from: feedback, nav: 'feedback', title: 'Feedback' },
  { path: '/settings', view: 'settingsView', from: settings, nav: 'settings', title: 'Settings' },
  { path: '/clinician', view: 'clinicianView', from: clinician, nav: 'clinician', roles: ['clinician'], title: 'My patients' },
  { path: '/clinician/alerts', view: 'alertsView', from: alerts, nav: 'clinician', roles: ['clinician'], title: 'Alerts' },
  {
    path: '/clinician/patients/:username/overview',
    view: 'patientView', from: patient,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Patient',
  },
  {
    path: '/clinician/patients/:username/mood',
    view: 'patientMoodView', from: clinician,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Patient mood',
  },
  {
    path: '/clinician/patients/:username/safety-plan',
    view: 'patientPlanView', from: safetyPlan,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Safety plan',
  },
  // The address this screen had first, kept so that bookmarks of it still work.
  {
    path: '/clinician/patients/:username',
    view: 'patientMoodView', from: clinician,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Patient mood',
  },
  { path: '/admin', view: 'adminUsersView', from: admin, nav: 'admin', roles: ['admin'], title: 'Admin: people' },
  { path: '/admin/feedback', view: 'adminFeedbackView', from: admin, nav: 'admin', roles: ['admin'], title: 'Admin: feedback' },
  { path: '/admin/audit', view: 'adminAuditView', from: admin, nav: 'admin', roles: ['admin'], title: 'Admin: audit log' },
];
