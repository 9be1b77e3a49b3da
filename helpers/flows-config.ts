export type TextMatch = string | RegExp;

/** Where the golden path lives in the app, and what its controls are called. */
export interface FlowsConfig {
  paths: { signup: string; login: string; dashboard: string; account: string };
  /** `passwordConfirmation`: a sign-up form's second password field ("Password confirmation", "Confirm password"), filled alike. */
  labels: { email: TextMatch; password: TextMatch; passwordConfirmation: TextMatch };
  buttons: {
    signup: TextMatch;
    login: TextMatch;
    logout: TextMatch;
    upgrade: TextMatch;
    deleteAccount: TextMatch;
    /** The app's own pay button, for the Payment Element and the Card Element on the app's page. */
    pay: TextMatch;
  };
  /** Text the app shows once the account is gone. */
  deletedMessage: TextMatch;
}

export const defaultFlowsConfig: FlowsConfig = {
  paths: { signup: '/signup', login: '/login', dashboard: '/dashboard', account: '/dashboard' },
  labels: { email: /^email/i, password: /^password/i, passwordConfirmation: /confirm|again|repeat|re-?type|re-?enter/i },
  buttons: {
    signup: /sign up|create account|register/i,
    login: /log in|sign in/i,
    logout: /log out|sign out/i,
    upgrade: /upgrade/i,
    deleteAccount: /delete (my )?account/i,
    pay: /^(pay|subscribe|submit|confirm)/i,
  },
  deletedMessage: /account (has been )?deleted/i,
};

/** What a config or `test.use` sets of the flows: any path, label or button alone; the rest keep their defaults. */
export interface FlowsOptions {
  paths?: Partial<FlowsConfig['paths']>;
  labels?: Partial<FlowsConfig['labels']>;
  buttons?: Partial<FlowsConfig['buttons']>;
  deletedMessage?: TextMatch;
}

export function resolveFlowsConfig(partial: FlowsOptions | undefined): FlowsConfig {
  const d = defaultFlowsConfig;
  return {
    paths: { ...d.paths, ...partial?.paths },
    labels: { ...d.labels, ...partial?.labels },
    buttons: { ...d.buttons, ...partial?.buttons },
    deletedMessage: partial?.deletedMessage ?? d.deletedMessage,
  };
}
