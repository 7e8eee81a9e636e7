// The page types of the repository's two sites, for the browser tests.

/** Every page type of both sites (the hub is served below /productivity/). */
export const PAGES = {
  'programme-home': '/',
  'workstream-list': '/workstreams/',
  workstream: '/workstreams/procurement-capital-and-shared-assets/',
  'programme-list': '/programmes/',
  programme: '/programmes/future-ways-of-working/',
  'update-list': '/updates/',
  update: '/updates/2010/national-conference-december-2010/',
  'tag-list': '/tags/',
  tag: '/tags/procurement/',
  about: '/about/',
  governance: '/governance/',
  mainstreaming: '/mainstreaming/',
  accessibility: '/accessibility/',
  'not-found': '/404.html',
  'programme-search': '/search/?q=procurement',
  'hub-home': '/productivity/',
  'opportunity-library': '/productivity/opportunities/',
  opportunity: '/productivity/opportunities/compare-unit-costs/',
  'guide-list': '/productivity/guides/',
  guide: '/productivity/guides/sharing-capital-assets/',
  'editors-guide': '/productivity/publishing-on-the-hub/',
  'case-study-library': '/productivity/case-studies/',
  'case-study': '/productivity/case-studies/hampshire-wigan-capital-assets/',
  'council-list': '/productivity/councils/',
  council: '/productivity/councils/hampshire-county-council/',
  region: '/productivity/region/cross-regional/',
  'hub-about': '/productivity/about/',
  'hub-search': '/productivity/search/?q=capital+assets',
};

