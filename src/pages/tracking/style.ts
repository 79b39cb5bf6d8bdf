import { createHash } from 'node:crypto';
import { readableOn, type Branding } from '../../config/branding';

/**
 * The page's one stylesheet, built from the branding (colours and fonts were validated, so nothing here can break
 * out of CSS). Served from /t/static/ with a content hash in its name, so browsers cache it for good; mobile first,
 * one column, wider cards from 720px.
 */
export function pageStylesheet(branding: Branding): string {
  const { colors, fontFamily } = branding;
  const onPrimary = readableOn(colors.primary);
  return `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:${fontFamily};color:${colors.text};background:${colors.background};line-height:1.5;font-size:16px}
a{color:${colors.primary};text-underline-offset:2px}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid ${colors.accent};outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:${colors.background};padding:8px}
header.brand{display:flex;align-items:center;gap:12px;padding:12px 16px;border-bottom:4px solid ${colors.accent}}
header.brand img{height:40px;width:auto;display:block}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;line-height:1.25;margin:8px 0}
h2{font-size:1.2rem;margin:0 0 8px}
h3{font-size:1rem;margin:16px 0 4px}
.meta{margin:0 0 16px}
.card{border:1px solid #c8c8c8;border-radius:8px;padding:16px;margin:0 0 16px;background:${colors.background}}
.badge{display:inline-block;background:${colors.primary};color:${onPrimary};border-radius:999px;padding:2px 12px;font-size:.9rem;font-weight:600}
.issue{border:2px solid #b00020;border-left-width:8px}
.issue h2{color:#b00020}
dl.eta{display:grid;grid-template-columns:1fr;gap:8px;margin:12px 0}
dl.eta div{border-left:4px solid ${colors.accent};padding-left:8px}
dt{font-size:.9rem}dd{margin:0;font-weight:600}
ol.timeline{list-style:none;margin:0;padding:0}
ol.timeline li{border-left:2px solid #c8c8c8;margin-left:6px;padding:0 0 12px 14px;position:relative}
ol.timeline li::before{content:"";position:absolute;left:-7px;top:6px;width:12px;height:12px;border-radius:50%;background:#c8c8c8}
ol.timeline li[aria-current="step"]::before{background:${colors.primary}}
ol.timeline time{display:block;font-size:.9rem}
ul.items{margin:0;padding-left:20px}
.cta{display:inline-block;margin-top:8px;background:${colors.primary};color:${onPrimary};padding:10px 16px;border-radius:6px;text-decoration:none;font-weight:600}
form.lookup{display:grid;gap:12px;max-width:420px}
label{font-weight:600;display:block}
input{font:inherit;width:100%;padding:10px;border:1px solid #6b6b6b;border-radius:6px;color:${colors.text};background:${colors.background}}
button{font:inherit;background:${colors.primary};color:${onPrimary};border:0;border-radius:6px;padding:12px 16px;font-weight:600;cursor:pointer}
.error{border:2px solid #b00020;padding:8px 12px;border-radius:6px}
footer{max-width:960px;margin:0 auto;padding:16px;border-top:1px solid #c8c8c8}
footer ul{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:8px 24px}
@media (min-width:720px){h1{font-size:2rem}dl.eta{grid-template-columns:repeat(3,1fr)}.parcels{display:grid;grid-template-columns:repeat(2,1fr);gap:16px}.parcels .card{margin:0}}
`;
}

/** The stylesheet's file name, changing with its content (cache busting). */
export const stylesheetName = (css: string): string => `page-${createHash('sha256').update(css).digest('hex').slice(0, 12)}.css`;
