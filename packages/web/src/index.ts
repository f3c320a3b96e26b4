/**
 * The HTTP front-end of usher (`usher serve`): pages for the people in the directory and, in
 * route groups of their own, the APIs for programs. It decodes requests, calls one core use case
 * and renders the result; it decides no rule.
 */
export {}
